/**
 * Call record files: the record as one line of JSON (`root/ab/<key>.json`), readable with `jq` or any
 * language. A signed store wraps it so the file stays JSON:
 *
 *     {"hmac-sha256":"<64 hex>","record":<the record's JSON>}
 *
 * The signature covers the key and the record's exact bytes, which sit at a fixed offset.
 */
import { recordProblem, type CallRecord } from "../../call-record.js";
import { MAC_HEX_LENGTH, type Signer } from "./signing.js";

const SIGNED_PREFIX = '{"hmac-sha256":"';
const SIGNED_MIDDLE = '","record":';
const RECORD_START = SIGNED_PREFIX.length + MAC_HEX_LENGTH + SIGNED_MIDDLE.length;

/** The signing domain of a call record (distinct from values', so one cannot pass for the other). */
export function callDomain(key: string): string {
  return `fleche-call:${key}\n`;
}

/** The bytes of a record file. */
export function encodeRecord(record: CallRecord, signer: Signer): Buffer {
  const json = JSON.stringify(record);
  if (!signer.enabled) return Buffer.from(`${json}\n`);
  const signature = signer.sign(callDomain(record.key), [json]);
  return Buffer.from(`${SIGNED_PREFIX}${signature}${SIGNED_MIDDLE}${json}}\n`);
}

/** Why a record file cannot be used. */
export class RecordProblem extends Error {}

/**
 * The record in a record file's text, checked (shape, key, signature).
 * @throws RecordProblem with the reason.
 */
export function decodeRecord(text: string, key: string, signer: Signer): CallRecord {
  let json = text.trimEnd();
  if (json.startsWith(SIGNED_PREFIX)) {
    if (json.slice(RECORD_START - SIGNED_MIDDLE.length, RECORD_START) !== SIGNED_MIDDLE || !json.endsWith("}")) {
      throw new RecordProblem("malformed signed record");
    }
    const signature = json.slice(SIGNED_PREFIX.length, SIGNED_PREFIX.length + MAC_HEX_LENGTH);
    json = json.slice(RECORD_START, -1);
    if (signer.enabled && !signer.verify(callDomain(key), [json], signature)) {
      throw new RecordProblem("it failed its signature check (tampered, truncated or signed with another key)");
    }
  } else if (signer.enabled) {
    throw new RecordProblem("it is not signed, but this store requires signatures");
  }
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    throw new RecordProblem("it is not valid JSON (truncated or corrupt)");
  }
  const problem = recordProblem(record);
  if (problem) throw new RecordProblem(`it is not a call record (${problem})`);
  if ((record as CallRecord).key !== key) throw new RecordProblem(`it holds the record of another key (${(record as CallRecord).key})`);
  return record as CallRecord; // freshly parsed for each caller: nothing shared, so no need to freeze
}
