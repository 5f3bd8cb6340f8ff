/**
 * Call record files, format 2: the record as one line of JSON (`root/ab/<key>.json`) inside a wrapper
 * that carries its check value, so the file stays readable with `jq` or any language:
 *
 *     {"crc32":"<8 hex>","record":<the record's JSON>}
 *     {"crc32":"<8 hex>","hmac-sha256":"<64 hex>","written":<ms>,"record":<the record's JSON>}   (signed)
 *
 * The check value is the CRC-32 of every byte after it (from the `"` that closes it through the final
 * newline), so a damaged byte anywhere (an inline value, the result digest) is detected by every
 * reader, signed or not. A signature covers the key, the write time and the record's exact bytes; the
 * write time lets a store notice an older signed record copied back over a newer one (see
 * `freshness.ts`).
 */
import { recordProblem, type CallRecord } from "../../call-record.js";
import { crc32, crcHex } from "../../fs/crc32.js";
import { MAC_HEX_LENGTH, type Signer } from "../envelope/signing.js";
import { integrity } from "../envelope/integrity.js";

const CHECK_PREFIX = '{"crc32":"';
const CHECK_LENGTH = 8;
/** Offset of the first byte the check value covers (the quote closing it). */
const CHECKED_START = CHECK_PREFIX.length + CHECK_LENGTH;
const PLAIN_MIDDLE = '","record":';
const SIGNED_MIDDLE = '","hmac-sha256":"';
const WRITTEN_MIDDLE = '","written":';
const RECORD_MIDDLE = ',"record":';
const SUFFIX = "}\n";

const PREFIX_BYTES = Buffer.from(CHECK_PREFIX, "latin1");
const PLAIN_BYTES = Buffer.from(PLAIN_MIDDLE, "latin1");
const SIGNED_BYTES = Buffer.from(SIGNED_MIDDLE, "latin1");

/** The signing domain of a call record (distinct from values', so one cannot pass for the other). */
export function callDomain(key: string, written: number): string {
  return `fleche-call:${key}\n${written}\n`;
}

/**
 * The bytes of a record file. `written` (milliseconds since the epoch) is recorded and signed in signed
 * files only.
 */
export function encodeRecord(record: CallRecord, signer: Signer, written: number): Buffer {
  const json = JSON.stringify(record);
  const rest = signer.enabled
    ? `${SIGNED_MIDDLE}${signer.sign(callDomain(record.key, written), [json])}${WRITTEN_MIDDLE}${written}${RECORD_MIDDLE}${json}${SUFFIX}`
    : `${PLAIN_MIDDLE}${json}${SUFFIX}`;
  const checked = Buffer.from(rest);
  return Buffer.concat([PREFIX_BYTES, Buffer.from(crcHex(crc32(checked)), "latin1"), checked]);
}

/** Why a record file cannot be used. */
export class RecordProblem extends Error {}

/** A record read from its file, with the write time its signature vouches for (signed files). */
export interface ReadRecord {
  readonly record: CallRecord;
  /** When a signed record was written (by the writer's clock); undefined for unsigned files. */
  readonly written?: number;
}

/**
 * The record in a record file's bytes, checked (check value, shape, key, signature) before it is parsed.
 * @throws RecordProblem with the reason.
 */
export function decodeRecord(bytes: Uint8Array, key: string, signer: Signer): ReadRecord {
  if (!startsWith(bytes, PREFIX_BYTES, 0)) throw new RecordProblem(olderOrForeign(bytes));
  if (!endsWithSuffix(bytes)) throw new RecordProblem("malformed record file (truncated or corrupt)");
  if (integrity.check) {
    const check = hex8(bytes, CHECK_PREFIX.length);
    if (check < 0) throw new RecordProblem("malformed record file (truncated or corrupt)");
    if (crc32(bytes.subarray(CHECKED_START)) !== check) throw new RecordProblem("it failed its checksum (damaged or edited)");
  }
  const end = bytes.length - SUFFIX.length;
  let json: string;
  let written: number | undefined;
  if (startsWith(bytes, PLAIN_BYTES, CHECKED_START)) {
    if (signer.enabled) throw new RecordProblem("it is not signed, but this store requires signatures");
    json = utf8(bytes, CHECKED_START + PLAIN_MIDDLE.length, end);
  } else if (startsWith(bytes, SIGNED_BYTES, CHECKED_START)) {
    const sigStart = CHECKED_START + SIGNED_MIDDLE.length;
    const text = utf8(bytes, sigStart, end);
    const signature = text.slice(0, MAC_HEX_LENGTH);
    const recordAt = text.indexOf(RECORD_MIDDLE, MAC_HEX_LENGTH);
    const writtenText = text.slice(MAC_HEX_LENGTH + WRITTEN_MIDDLE.length, recordAt);
    if (text.slice(MAC_HEX_LENGTH, MAC_HEX_LENGTH + WRITTEN_MIDDLE.length) !== WRITTEN_MIDDLE || recordAt === -1 || !/^\d{1,16}$/.test(writtenText)) {
      throw new RecordProblem("malformed signed record");
    }
    written = Number(writtenText);
    json = text.slice(recordAt + RECORD_MIDDLE.length);
    if (signer.enabled && !signer.verify(callDomain(key, written), [json], signature)) {
      throw new RecordProblem("it failed its signature check (tampered, truncated or signed with another key)");
    }
  } else {
    throw new RecordProblem("malformed record file");
  }
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    throw new RecordProblem("it is not valid JSON (corrupt)");
  }
  const problem = recordProblem(record);
  if (problem) throw new RecordProblem(`it is not a call record (${problem})`);
  if ((record as CallRecord).key !== key) throw new RecordProblem(`it holds the record of another key (${(record as CallRecord).key})`);
  // Freshly parsed for each caller: nothing shared, so no need to freeze.
  return written === undefined ? { record: record as CallRecord } : { record: record as CallRecord, written };
}

/** Why a file without this format's prefix is refused: a record of format 1 (no checksum), or not a record. */
function olderOrForeign(bytes: Uint8Array): string {
  const start = latin1(bytes, 0, Math.min(bytes.length, 16));
  if (start.startsWith('{"key":') || start.startsWith('{"hmac-sha256":')) return "written by an older fleche (record format 1, without a checksum)";
  return "not a fleche call record (truncated or corrupt)";
}

/** The number written as 8 lowercase hex digits at `at`, or -1 (read in place: this runs on every hit). */
function hex8(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = at; i < at + CHECK_LENGTH; i++) {
    const c = bytes[i]!;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function endsWithSuffix(bytes: Uint8Array): boolean {
  return bytes.length >= CHECKED_START + SUFFIX.length && bytes[bytes.length - 2] === 0x7d && bytes[bytes.length - 1] === 0x0a;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, Math.min(length, bytes.length - start))).toString("latin1");
}

function utf8(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8");
}
