/**
 * The envelope of a value file, version 2: one text line of header, never compressed, then the stored
 * payload.
 *
 *     FLECHE 2 <check> <signature> {"s":"v8","n":1234,...}<spaces>\n<stored payload: n bytes>
 *
 * `<check>` is the CRC-32 (8 hex digits) of the stored payload, the rest of the line and the entry's key,
 * so every reader, signed or not, detects damaged bytes and files moved to another key's name before it
 * decompresses or deserializes anything. `<signature>` is `-` or `hmac-sha256:<64 hex>`. The JSON header
 * names the serializer, the stored length, the compression and the decoded length (which bounds
 * decompression) and, for split containers, the child entries, so listings, garbage collection and
 * integrity checks read the first line and never deserialize a value. The line is padded with spaces to
 * a multiple of 8 bytes, so a raw payload of float64s can be used in place. docs/file-format.md is the
 * specification.
 */
import { crc32, crcHex } from "../../fs/crc32.js";
import { isFullKey } from "../keys.js";
import type { PartsKind } from "../destructure.js";
import { COMPRESSIONS, type Compression } from "./compression.js";
import { MAC_HEX_LENGTH, type Signer } from "./signing.js";

/** The envelope version this fleche writes and reads. */
export const ENVELOPE_VERSION = 2;
/** The first bytes of every value file of envelope version 2. */
export const MAGIC = Buffer.from(`FLECHE ${ENVELOPE_VERSION} `, "latin1");
/** The first bytes of a value file of any envelope version. */
export const ANY_VERSION = Buffer.from("FLECHE ", "latin1");
/** Where the 8 hex digits of the check value start (they are filled in last for large raw values). */
export const CHECK_OFFSET = MAGIC.length;
const CHECK_LENGTH = 8;
const MAC_PREFIX = "hmac-sha256:";
const UNSIGNED = "-";
const NEWLINE = 0x0a;
const SPACE = 0x20;
const ALIGN = 8;

/** The JSON header of a value file (short keys: it is written for every entry). */
export interface Header {
  /** Serializer of the payload: `v8`, `json`, `msgpack`, or `raw` (the bytes of a binary value). */
  readonly s: string;
  /** Stored payload length in bytes (catches truncation). */
  readonly n: number;
  /** The compression of the stored payload, when it is compressed. */
  readonly z?: Compression;
  /** For a compressed payload: its decoded length in bytes (decompression stops beyond it). */
  readonly u?: number;
  /** For `raw`: the binary type (`Float64Array`, `Buffer`, `ArrayBuffer`, ...). */
  readonly t?: string;
  /** 1 when the payload holds `$fleche` tags to revive. */
  readonly k?: 1;
  /** For a split container: its kind; the payload is then the list of its items. */
  readonly d?: PartsKind;
  /** For a split container: the keys of the child entries, in slot order. */
  readonly c?: readonly string[];
  /** For a split container: the item slots the children fill. */
  readonly r?: readonly number[];
  /** For a split object: 1 when it has no prototype. */
  readonly p?: 1;
}

/** The signing domain of a value entry: binds the signature to the key, so files cannot be swapped. */
export function valueDomain(key: string): string {
  return `fleche-value:${key}\n`;
}

/**
 * The header line of a value file. Its check value covers `key`; pass `payloadCrc` (the CRC-32 of the
 * stored payload) when it is already known. With `key` undefined the check is left as zeros, to be
 * patched at {@link CHECK_OFFSET} with {@link checkValue} once the key is known.
 */
export function headerLine(key: string | undefined, header: Header, payload: Uint8Array, signer: Signer, payloadCrc?: number): Buffer {
  const json = JSON.stringify(header);
  const token = signer.enabled ? MAC_PREFIX.length + MAC_HEX_LENGTH : UNSIGNED.length;
  const unpadded = MAGIC.length + CHECK_LENGTH + 1 + token + 1 + Buffer.byteLength(json) + 1;
  const rest = Buffer.from(`${json}${" ".repeat((ALIGN - (unpadded % ALIGN)) % ALIGN)}\n`);
  if (signer.enabled && key === undefined) throw new Error("a signed header line needs its key");
  const signature = Buffer.from(`${signer.enabled ? MAC_PREFIX + signer.sign(valueDomain(key!), [rest, payload]) : UNSIGNED} `, "latin1");
  const checked = Buffer.concat([signature, rest]);
  const check = key === undefined ? "0".repeat(CHECK_LENGTH) : crcHex(checkValue(payloadCrc ?? crc32(payload), checked, key));
  return Buffer.concat([MAGIC, Buffer.from(`${check} `, "latin1"), checked]);
}

/**
 * The check value of a value file: the CRC-32 of the stored payload (`payloadCrc`), continued over the
 * header line after the check and its space (`checked`, through the newline) and over the key's domain.
 * The payload comes first so that it can be checksummed while it streams in (or out).
 */
export function checkValue(payloadCrc: number, checked: Uint8Array, key: string): number {
  return crc32(Buffer.from(valueDomain(key), "latin1"), crc32(checked, payloadCrc));
}

/** A parsed header line. */
export interface Head {
  readonly header: Header;
  /** The recorded check value. */
  readonly check: number;
  /** The hex signature, when the file is signed. */
  readonly signature?: string;
  /** Offset of the part of the line the check covers (after the check and its space). */
  readonly checkedStart: number;
  /** Offset of the part of the line the signature covers (the JSON). */
  readonly restStart: number;
  /** Offset of the payload. */
  readonly payloadStart: number;
}

/** Why bytes are not a readable envelope. */
export class EnvelopeProblem extends Error {
  /** True when the file looks like a later envelope version: not corrupt, just not for this fleche. */
  readonly newer: boolean;

  constructor(message: string, newer = false) {
    super(message);
    this.newer = newer;
  }
}

/**
 * Parse the header line at the start of `bytes`. Returns undefined when `bytes` ends before the line
 * does (the caller reads more).
 * @throws EnvelopeProblem when the bytes are not a version-2 envelope.
 */
export function parseHead(bytes: Uint8Array): Head | undefined {
  if (!startsWith(bytes, MAGIC)) {
    if (bytes.length < MAGIC.length && startsWith(MAGIC, bytes)) return undefined;
    throw versionProblem(bytes);
  }
  const newline = bytes.indexOf(NEWLINE, MAGIC.length);
  if (newline === -1) return undefined;
  const checkEnd = MAGIC.length + CHECK_LENGTH;
  if (newline < checkEnd + 1 || bytes[checkEnd] !== SPACE) throw new EnvelopeProblem("malformed check field");
  const checkText = latin1(bytes, MAGIC.length, CHECK_LENGTH);
  if (!/^[0-9a-f]{8}$/.test(checkText)) throw new EnvelopeProblem("malformed check field");
  const checkedStart = checkEnd + 1;
  const space = bytes.indexOf(SPACE, checkedStart);
  if (space === -1 || space > newline) throw new EnvelopeProblem("malformed header line");
  const token = latin1(bytes, checkedStart, space - checkedStart);
  let signature: string | undefined;
  if (token.startsWith(MAC_PREFIX) && token.length === MAC_PREFIX.length + MAC_HEX_LENGTH) signature = token.slice(MAC_PREFIX.length);
  else if (token !== UNSIGNED) throw new EnvelopeProblem("malformed signature field");
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + space + 1, newline - space - 1).toString("utf8"));
  } catch {
    throw new EnvelopeProblem("the header is not JSON");
  }
  const problem = headerProblem(header);
  if (problem) throw new EnvelopeProblem(problem);
  return {
    header: header as Header,
    check: Number.parseInt(checkText, 16),
    ...(signature ? { signature } : {}),
    checkedStart,
    restStart: space + 1,
    payloadStart: newline + 1,
  };
}

/** Bytes that do not start with this version's magic: another version, or not an envelope at all. */
function versionProblem(bytes: Uint8Array): EnvelopeProblem {
  if (!startsWith(bytes, ANY_VERSION)) return new EnvelopeProblem("not a fleche value file (no fleche header; compressed files of older versions are not read)");
  const match = /^FLECHE (\d{1,6}) /.exec(latin1(bytes, 0, Math.min(bytes.length, 16)));
  const version = match ? Number(match[1]) : undefined;
  if (version !== undefined && version > ENVELOPE_VERSION) return new EnvelopeProblem("written in a newer envelope version than this fleche reads", true);
  if (version !== undefined) return new EnvelopeProblem(`written by an older fleche (envelope version ${version}, without checksums)`);
  return new EnvelopeProblem("malformed envelope version");
}

function headerProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the header is not an object";
  const h = value as Record<string, unknown>;
  if (typeof h.s !== "string") return "the header names no serializer";
  if (!Number.isSafeInteger(h.n) || (h.n as number) < 0) return "the header has no payload length";
  if (h.z !== undefined) {
    if (!COMPRESSIONS.includes(h.z as Compression)) return "the header names an unknown compression";
    if (!Number.isSafeInteger(h.u) || (h.u as number) < 0) return "a compressed payload without its decoded length";
  } else if (h.u !== undefined) {
    return "a decoded length without a compression";
  }
  if (h.s === "raw" && typeof h.t !== "string") return "a raw payload without a type";
  if (h.k !== undefined && h.k !== 1) return "malformed tag flag";
  if (h.d !== undefined) {
    if (h.d !== "array" && h.d !== "object" && h.d !== "map") return "unknown container kind";
    if (!Array.isArray(h.c) || !h.c.every((c) => typeof c === "string" && isFullKey(c))) return "malformed child keys";
    if (!Array.isArray(h.r) || h.r.length !== h.c.length || !h.r.every((r) => Number.isSafeInteger(r) && r >= 0)) return "malformed child slots";
  } else if (h.c !== undefined || h.r !== undefined) {
    return "child keys without a container kind";
  }
  return undefined;
}

/** The stored payload of a complete envelope in `bytes`, after checking its length. */
export function payloadOf(bytes: Uint8Array, head: Head): Uint8Array {
  const length = bytes.length - head.payloadStart;
  if (length !== head.header.n) throw new EnvelopeProblem(lengthProblem(length, head.header.n));
  return bytes.subarray(head.payloadStart);
}

/** Why a stored payload of `length` bytes does not match the recorded `n`. */
export function lengthProblem(length: number, n: number): string {
  return length < n ? `truncated: ${length} of ${n} payload bytes` : `${length - n} bytes too many`;
}

/** The part of the header line the check value covers. */
export function checkedPart(bytes: Uint8Array, head: Head): Uint8Array {
  return bytes.subarray(head.checkedStart, head.payloadStart);
}

/** The signed part of the header line (what {@link headerLine} signed along with the payload). */
export function signedRest(bytes: Uint8Array, head: Head): Uint8Array {
  return bytes.subarray(head.restStart, head.payloadStart);
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString("latin1");
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return bytes.length >= prefix.length;
}
