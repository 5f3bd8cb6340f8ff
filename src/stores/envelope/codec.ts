/**
 * The byte-level half of a value entry, independent of where the bytes live: turn an entry (a whole
 * value, or the parts of a split container) into envelope bytes, and check, decompress and decode such
 * bytes back. The file store writes these bytes to files; the S3 and SQL value stores put them in
 * objects and rows. The bytes are the same everywhere, so an entry can be copied between stores as it is
 * (see `RawEntries` in `stores/types.ts`).
 *
 * Every read checks before it decodes: the envelope, the stored length, then the signature (signed
 * stores) or the check value (every other store), then decompression bounded by the recorded decoded
 * length, and only then deserialization.
 */
import { endianness } from "node:os";
import { crc32 } from "../../fs/crc32.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { binaryType, bytesOf, fromBytes, type BinaryValue } from "../../serializers/binary.js";
import { serializerNamed } from "../../serializers/index.js";
import type { Serializer } from "../../serializers/types.js";
import type { EntryNode } from "../destructure.js";
import { compress, decompress, DecompressionProblem, type Compression } from "./compression.js";
import { EnvelopeProblem, checkValue, checkedPart, headerLine, parseHead, payloadOf, signedRest, valueDomain, type Head, type Header } from "./envelope.js";
import type { Signer } from "./signing.js";
import { integrity } from "./integrity.js";
import { Corrupt, decodeWith, type Decoded } from "./decoded.js";

/** Entries up to this size are compressed and decompressed on the calling thread (larger ones in the thread pool). */
export const SYNC_LIMIT = 256 * 1024;

/** Raw payloads are little-endian by definition; a big-endian host serializes binary data instead. */
export const RAW = endianness() === "LE";

/** An entry's bytes checked: its header and decoded payload (not yet deserialized). */
export interface CheckedEntry {
  readonly header: Header;
  /** The payload, decompressed. */
  readonly payload: Uint8Array;
  /** The payload fills its own aligned ArrayBuffer and may be used in place. */
  readonly owned: boolean;
}

/** Encodes and checks the entries of one store (its signer, compression and serializer). */
export class EntryCodec {
  constructor(
    readonly signer: Signer,
    readonly compression: Compression | false,
    readonly serializer: Serializer,
  ) {}

  /**
   * The envelope of the entry `node` under `key`: the header line, then the stored payload. Payloads
   * up to {@link SYNC_LIMIT} are compressed on the calling thread, larger ones in the thread pool.
   */
  encode(key: string, node: EntryNode): MaybePromise<readonly [Uint8Array, Uint8Array]> {
    const { header, payload } = this.#encodePayload(node);
    const finish = (stored: Uint8Array): readonly [Uint8Array, Uint8Array] => {
      const { s: serializer, n: decoded, ...rest } = header;
      const stamped: Header = this.compression ? { s: serializer, n: stored.byteLength, z: this.compression, u: decoded, ...rest } : header;
      return [headerLine(key, stamped, stored, this.signer), stored];
    };
    if (!this.compression) return finish(payload);
    // Only the payload is compressed: the header line stays readable, so it can be checked first.
    const packed = compress(this.compression, payload, payload.byteLength <= SYNC_LIMIT);
    return isPromise(packed) ? packed.then(finish) : finish(packed);
  }

  #encodePayload(node: EntryNode): { header: Header; payload: Uint8Array } {
    if (node.kind === "whole") {
      const value = node.value;
      const type = RAW && typeof value === "object" && value !== null ? binaryType(value) : undefined;
      if (type) {
        const payload = bytesOf(value as BinaryValue);
        return { header: { s: "raw", n: payload.byteLength, t: type }, payload };
      }
      const { bytes, tagged } = this.serializer.encode(value);
      return { header: { s: this.serializer.name, n: bytes.byteLength, ...(tagged ? { k: 1 } : {}) }, payload: bytes };
    }
    const { bytes, tagged } = this.serializer.encode(node.items);
    const header: Header = {
      s: this.serializer.name,
      n: bytes.byteLength,
      ...(tagged ? { k: 1 as const } : {}),
      d: node.kind,
      c: node.children,
      r: node.slots,
      ...(node.nullPrototype ? { p: 1 as const } : {}),
    };
    return { header, payload: bytes };
  }

  /**
   * Check the whole envelope `bytes` of the entry `key` (envelope, length, then signature or check
   * value) and decompress its payload. `sync` allows decompressing on the calling thread.
   * @throws Corrupt when the bytes cannot be used.
   */
  check(key: string, bytes: Uint8Array, sync = true): MaybePromise<CheckedEntry> {
    const { head, stored } = this.verify(key, bytes);
    return inflate(head.header, stored, sync, false);
  }

  /**
   * Check the whole envelope `bytes` of the entry `key` as {@link EntryCodec.check} does, without
   * decompressing or decoding it (an entry copied as it is from another store).
   * @throws Corrupt when the bytes cannot be used by this store.
   */
  verify(key: string, bytes: Uint8Array): { readonly head: Head; readonly stored: Uint8Array } {
    const head = envelope(() => parseHead(bytes));
    if (!head) throw new Corrupt("truncated inside the header line");
    const stored = envelope(() => payloadOf(bytes, head));
    if (this.signer.enabled) {
      this.checkSignature(head, this.signer.begin(valueDomain(key), [signedRest(bytes, head), stored]));
    } else if (integrity.check && checkValue(crc32(stored), checkedPart(bytes, head), key) !== head.check) {
      throw checkFailed();
    }
    return { head, stored };
  }

  /** @throws Corrupt unless `pending` (fed the signed bytes) matches the signature in `head`. */
  checkSignature(head: Head, pending: ReturnType<Signer["begin"]>): void {
    if (!head.signature) throw new Corrupt("it is not signed, but this store requires signatures");
    if (!pending.matches(head.signature)) throw new Corrupt("it failed its signature check (tampered, truncated or signed with another key)");
  }

  /** Deserialize a checked entry's payload. @throws Corrupt when the payload does not decode. */
  decode(entry: CheckedEntry): MaybePromise<Decoded> {
    const { header } = entry;
    if (header.s === "raw" && header.d === undefined) {
      try {
        return { whole: fromBytes(header.t!, entry.payload, entry.owned) };
      } catch (error) {
        throw new Corrupt(`its raw payload does not decode (${(error as Error).message})`);
      }
    }
    const serializer = serializerNamed(header.s);
    if (!serializer) throw new Corrupt(`it names an unknown serializer '${header.s}'`, true);
    if (!serializer.ready) return serializer.load().then(() => decodeWith(serializer, entry));
    return decodeWith(serializer, entry);
  }
}

/** Parse with envelope problems turned into {@link Corrupt}. */
export function envelope<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EnvelopeProblem) throw new Corrupt(error.message, error.newer);
    throw error;
  }
}

/** The reason an entry whose check value does not match is unusable. */
export function checkFailed(): Corrupt {
  return new Corrupt("it failed its checksum (damaged, or an entry of another key)");
}

/** The header of an entry from bytes holding at least its header line (payload not checked). */
export function headerOf(bytes: Uint8Array): Header {
  const head = envelope(() => parseHead(bytes));
  if (!head) throw new Corrupt("truncated inside the header line");
  return head.header;
}

/** The decoded payload of a checked entry: decompressed (bounded by its recorded length) when compressed. */
export function inflate(header: Header, stored: Uint8Array, sync: boolean, owned: boolean): MaybePromise<CheckedEntry> {
  if (header.z === undefined) return { header, payload: stored, owned };
  let out: MaybePromise<Uint8Array>;
  try {
    out = decompress(header.z, stored, header.u!, sync);
  } catch (error) {
    throw asCorrupt(error);
  }
  if (!isPromise(out)) return { header, payload: out, owned: false };
  return out.then(
    (payload) => ({ header, payload, owned: false }),
    (error: unknown) => Promise.reject(asCorrupt(error)),
  );
}

/** A decompression failure is corruption; a missing zstd-napi (a FlecheError) is not. */
function asCorrupt(error: unknown): unknown {
  if (error instanceof DecompressionProblem) return new Corrupt(error.message);
  return error;
}
