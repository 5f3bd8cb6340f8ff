/**
 * Turning an S3 object's body (a stream of chunks) into a checked entry, its raw bytes, or its header.
 *
 * A small object is gathered and checked whole, as FileStore checks a small file. A large one is checked
 * while it streams in, as FileStore's large reads are: the header line first, then the payload straight
 * into a buffer of its exact size (its own aligned buffer, so a raw typed array is used in place, never
 * copied) with the check value or signature fed chunk by chunk, and the check decided when the last
 * chunk is in. Every problem of the stored bytes is a {@link Corrupt}: truncated, too long, tampered,
 * not an envelope; a body cut off in transit is a connection failure ({@link cutOff}).
 */
import { crc32 } from "../../fs/crc32.js";
import { checkValue, checkedPart, lengthProblem, parseHead, signedRest, valueDomain, type Header } from "../envelope/envelope.js";
import { integrity } from "../envelope/integrity.js";
import { Corrupt } from "../envelope/decoded.js";
import { SYNC_LIMIT, checkFailed, envelope, inflate, type CheckedEntry, type EntryCodec } from "../envelope/codec.js";
import type { ObjectBody } from "./objects.js";

/** How much of an object a header read asks for first (a longer header line is read whole). */
export const HEADER_RANGE = 64 * 1024;

/**
 * A body that ends before (or goes on beyond) the length the server announced was cut in transit, not
 * stored so: a truncated object announces its shorter length. So it is a connection failure (the store's
 * availability guard counts it as the server going away), never a reason to remove the object.
 */
export function cutOff(at: number, size: number): Error {
  const what = at < size ? `ended after ${at} of its ${size} bytes` : `went on beyond its ${size} bytes`;
  return Object.assign(new Error(`the connection was cut: the object's body ${what}`), { code: "ECONNRESET" });
}

/** The whole body in one buffer of its announced size. @throws an ECONNRESET error when the body is cut off ({@link cutOff}). */
export async function gather(body: ObjectBody): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(body.size);
  let at = 0;
  for await (const chunk of body.chunks) {
    if (at + chunk.byteLength > bytes.length) throw cutOff(at + chunk.byteLength, body.size);
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== bytes.length) throw cutOff(at, body.size);
  return bytes;
}

/**
 * The body checked (envelope, stored length, check value or signature) and its payload decompressed.
 * @throws Corrupt when it cannot be used.
 */
export async function checkBody(codec: EntryCodec, key: string, body: ObjectBody): Promise<CheckedEntry> {
  if (body.size <= SYNC_LIMIT) return codec.check(key, await gather(body), true);
  return checkLarge(codec, key, body);
}

async function checkLarge(codec: EntryCodec, key: string, body: ObjectBody): Promise<CheckedEntry> {
  const iterator = body.chunks[Symbol.asyncIterator]();
  // The header line: chunks until its newline (at most the whole object).
  const early: Uint8Array[] = [];
  let seen = 0;
  let head = undefined as ReturnType<typeof parseHead>;
  let line: Buffer = Buffer.alloc(0);
  while (!head) {
    const next = await iterator.next();
    if (next.done) break;
    early.push(next.value);
    seen += next.value.byteLength;
    line = Buffer.concat(early, seen);
    head = envelope(() => parseHead(line));
  }
  if (!head) {
    if (seen < body.size) throw cutOff(seen, body.size);
    throw new Corrupt("truncated inside the header line");
  }
  const length = body.size - head.payloadStart;
  if (length !== head.header.n) throw new Corrupt(lengthProblem(length, head.header.n));
  const payload = new Uint8Array(length); // its own buffer: a raw array is used in place
  let at = 0;
  const { signer } = codec;
  const pending = signer.enabled ? signer.begin(valueDomain(key), [signedRest(line, head)]) : undefined;
  const checking = !pending && integrity.check;
  let crc = 0;
  const take = (chunk: Uint8Array) => {
    if (at + chunk.byteLength > length) throw cutOff(head.payloadStart + at + chunk.byteLength, body.size);
    payload.set(chunk, at);
    if (pending) pending.update(chunk);
    else if (checking) crc = crc32(chunk, crc);
    at += chunk.byteLength;
  };
  take(line.subarray(head.payloadStart));
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    take(next.value);
  }
  if (at !== length) throw cutOff(head.payloadStart + at, body.size);
  if (pending) codec.checkSignature(head, pending);
  else if (checking && checkValue(crc, checkedPart(line, head), key) !== head.check) throw checkFailed();
  return await inflate(head.header, payload, false, true);
}

/**
 * The header of an entry (and where its payload starts) from the first bytes of its object (`first`: at
 * most {@link HEADER_RANGE} of its `total` bytes); undefined when the line goes on beyond them (the caller reads the whole object). Payload, check value
 * and signature are not checked: listings and gc only need the child keys.
 * @throws Corrupt when the bytes are not an envelope.
 */
export function headerFrom(first: Uint8Array, total: number): { readonly header: Header; readonly payloadStart: number } | undefined {
  const head = envelope(() => parseHead(first));
  if (head) return head;
  if (first.byteLength >= total) throw new Corrupt("truncated inside the header line");
  return undefined;
}
