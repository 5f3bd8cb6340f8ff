/**
 * The envelope of a value file: one text line of header, then the payload bytes.
 *
 *     FLECHE 1 <signature> {"s":"v8","n":1234,...}<spaces>\n<payload: n bytes>
 *
 * `<signature>` is `-` for unsigned files or `hmac-sha256:<64 hex>`. The JSON header names the
 * serializer, the payload length and, for split containers, the child entries, so listings, garbage
 * collection and integrity checks read the first line and never deserialize a value. The line is padded
 * with spaces to a multiple of 8 bytes, so a raw payload of float64s can be used in place. The whole file
 * may be compressed (see `compression.ts`); docs/file-format.md is the specification.
 */
import { isFullKey } from "../keys.js";
import type { PartsKind } from "../destructure.js";
import { MAC_HEX_LENGTH, type Signer } from "./signing.js";

/** The first bytes of every (uncompressed) value file of envelope version 1. */
export const MAGIC = Buffer.from("FLECHE 1 ", "latin1");
/** The first bytes of an uncompressed value file of any envelope version (what compression sniffing looks for). */
export const ANY_VERSION = Buffer.from("FLECHE ", "latin1");
const MAC_PREFIX = "hmac-sha256:";
const UNSIGNED = "-";
const NEWLINE = 0x0a;
const ALIGN = 8;

/** The JSON header of a value file (short keys: it is written for every entry). */
export interface Header {
  /** Serializer of the payload: `v8`, `json`, `msgpack`, or `raw` (the bytes of a binary value). */
  readonly s: string;
  /** Payload length in bytes (catches truncation). */
  readonly n: number;
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
 * The header line of a value file, signed over the key, the rest of the line and the payload when the
 * signer has a key. The file is this line followed by `payload`.
 */
export function headerLine(key: string, header: Header, payload: Uint8Array, signer: Signer): Buffer {
  const json = JSON.stringify(header);
  const token = signer.enabled ? MAC_PREFIX.length + MAC_HEX_LENGTH : UNSIGNED.length;
  const unpadded = MAGIC.length + token + 1 + Buffer.byteLength(json) + 1;
  const rest = Buffer.from(`${json}${" ".repeat((ALIGN - (unpadded % ALIGN)) % ALIGN)}\n`);
  const signature = signer.enabled ? MAC_PREFIX + signer.sign(valueDomain(key), [rest, payload]) : UNSIGNED;
  return Buffer.concat([MAGIC, Buffer.from(`${signature} `, "latin1"), rest]);
}

/** A parsed header line. */
export interface Head {
  readonly header: Header;
  /** The hex signature, when the file is signed. */
  readonly signature?: string;
  /** Offset of the signed part of the line (the JSON), which the signature covers with the payload. */
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
 * @throws EnvelopeProblem when the bytes are not a version-1 envelope.
 */
export function parseHead(bytes: Uint8Array): Head | undefined {
  if (!startsWith(bytes, MAGIC)) {
    if (startsWith(bytes, ANY_VERSION)) throw new EnvelopeProblem("written in a newer envelope version than this fleche reads", true);
    if (bytes.length < MAGIC.length && startsWith(MAGIC, bytes)) return undefined;
    throw new EnvelopeProblem("not a fleche value file (bad magic bytes)");
  }
  const newline = bytes.indexOf(NEWLINE, MAGIC.length);
  if (newline === -1) return undefined;
  const space = bytes.indexOf(0x20, MAGIC.length);
  if (space === -1 || space > newline) throw new EnvelopeProblem("malformed header line");
  const token = Buffer.from(bytes.buffer, bytes.byteOffset + MAGIC.length, space - MAGIC.length).toString("latin1");
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
  return { header: header as Header, ...(signature ? { signature } : {}), restStart: space + 1, payloadStart: newline + 1 };
}

function headerProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the header is not an object";
  const h = value as Record<string, unknown>;
  if (typeof h.s !== "string") return "the header names no serializer";
  if (!Number.isSafeInteger(h.n) || (h.n as number) < 0) return "the header has no payload length";
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

/** The payload of a complete envelope in `bytes`, after checking its length. */
export function payloadOf(bytes: Uint8Array, head: Head): Uint8Array {
  const length = bytes.length - head.payloadStart;
  if (length !== head.header.n) {
    throw new EnvelopeProblem(length < head.header.n ? `truncated: ${length} of ${head.header.n} payload bytes` : `${length - head.header.n} bytes too many`);
  }
  return bytes.subarray(head.payloadStart);
}

/** The signed part of the header line (what {@link headerLine} signed along with the payload). */
export function signedRest(bytes: Uint8Array, head: Head): Uint8Array {
  return bytes.subarray(head.restStart, head.payloadStart);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return bytes.length >= prefix.length;
}
