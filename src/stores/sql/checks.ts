/**
 * Checksums of SQL call records, so a row changed behind the store's back (a damaged page, a hand edit,
 * a buggy tool) is a miss with a warning, never a wrong value. Two CRC-32s per `calls` row:
 *
 * - `result_check` covers what a cache hit serves: the key, the result digest and the inline values, as
 *   the stored text. The hot path (`loadResult`) reads it with them, one CRC over ~350 bytes for a tiny
 *   call (or a comparison with the texts verified before, `VerifiedHits`).
 * - `record_check` covers the whole record: identity, argument digests, result, inline values (their
 *   stored text) and metadata, as length-prefixed fields rebuilt from the loaded record, namespaces in
 *   sorted order. SQLite keeps each namespace's JSON text as written, so `JSON.stringify` of what it
 *   parses back is that text again (fast, native); PostgreSQL's `jsonb` reorders object keys, so there
 *   each namespace is written canonically (keys sorted at every level).
 *
 * CRC-32 detects accidental damage and edits by tools that do not know the checksums; it is not a
 * signature: someone who edits a row and recomputes its checksums is not detected.
 */
import { crc32 } from "node:zlib";
import type { CallRecord } from "../../call-record.js";

/** A row whose content does not match its checksum. */
export class DamagedRow extends Error {}

/** A CRC-32 as the signed 32-bit integer both databases' INTEGER columns hold. */
function check(text: string): number {
  return crc32(text) | 0;
}

/**
 * The checksum of the part a hit serves, from the stored texts. The result's length is part of it so
 * that no character can move between the result and the inline values unnoticed.
 */
export function resultCheck(key: string, result: string | null, inline: string | null): number {
  return check(`${key}\n${result === null ? "-" : `${result.length}=${result}`}\n${inline ?? ""}`);
}

/** Keys whose verified hit texts are remembered (about 400 bytes each). */
const REMEMBERED = 1024;

/**
 * The hit texts last verified per key. A warm hit re-reads the same row, and comparing its texts with
 * the ones verified (a byte comparison, ~30 ns) is a third of the cost of a CRC over them, with the
 * same verdict: equal texts have equal checksums. A row changed in any byte, or a new check value,
 * is verified afresh. Bounded: forgotten all at once when full.
 */
export class VerifiedHits {
  readonly #rows = new Map<string, readonly [result: string | null, inline: string | null, check: unknown]>();

  /** True when exactly these texts and check were verified for `key` before. */
  has(key: string, result: string | null, inline: string | null, check: unknown): boolean {
    const seen = this.#rows.get(key);
    return seen !== undefined && seen[2] === check && seen[0] === result && seen[1] === inline;
  }

  add(key: string, result: string | null, inline: string | null, check: unknown): void {
    if (this.#rows.size >= REMEMBERED) this.#rows.clear();
    this.#rows.set(key, [result, inline, check]);
  }
}

/** How a database keeps metadata JSON: as the text written (`sqlite`), or reordered (`postgres`). */
export type MetadataKeeping = "sqlite" | "postgres";

/**
 * The checksum of a whole record, as `keeping` gives it back (see this module's comment). `inline` is
 * the stored text of its inline values (the `inline` column), which is hashed as it is.
 */
export function recordCheck(record: CallRecord, keeping: MetadataKeeping, inline: string | null): number {
  const { key, name, module, version, codeDigest, result, metadata } = record;
  // Length-prefixed fields: no escaping to compute, and no way for text to move between fields.
  const v = version === null ? "-" : typeof version === "number" ? `n${version}` : `s${field(version)}`;
  let text = `${field(key)}${field(name)}${field(module)}${v}${field(codeDigest)}${field(result)}${field(inline)}`;
  for (const argument in record.arguments) text += `${field(argument)}${field(record.arguments[argument]!)}`;
  const json = keeping === "sqlite" ? JSON.stringify : canonicalJson;
  for (const namespace of Object.keys(metadata).sort()) text += `${field(namespace)}${json(metadata[namespace])}\n`;
  return check(text);
}

function field(text: string | null): string {
  return text === null ? "-" : `${text.length}:${text}`;
}

/** JSON with object keys in sorted order (values as `JSON.stringify` writes them). */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i ? "," : ""}${canonicalJson(value[i])}`;
    return `${out}]`;
  }
  let out = "{";
  let first = true;
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue; // as JSON.stringify: an undefined field is not stored
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}
