/**
 * Call records ↔ table rows. A record is one `calls` row: its arguments as a JSON array of `[name,
 * digest]` pairs in position order, its metadata as one JSON object (namespace → data); the `arguments`
 * table, the index of argument queries, follows the row by triggers (`schema.ts`). Versions are stored JSON-encoded so `1` and `"1"` stay different;
 * `timestop` mirrors `metadata.runtime.timestop` in an indexed column for latest()/oldest() and ranges,
 * `walltime` mirrors `metadata.runtime.walltime` in the same index, for runtime statistics;
 * `result_check` and `record_check` are the row's checksums (`checks.ts`), verified on every read.
 */
import { SaveError } from "../../errors.js";
import { warnPerCause } from "../../log.js";
import { inlineProblem, recordProblem, type CallRecord, type Version } from "../../call-record.js";
import type { ResultRef } from "../types.js";
import { DamagedRow, recordCheck, resultCheck, type MetadataKeeping, type VerifiedHits } from "./checks.js";

/** The `calls` row of a record. */
export interface CallRow {
  readonly key: string;
  readonly name: string;
  readonly module: string | null;
  /** JSON text of the version, or null. */
  readonly version: string | null;
  readonly code_digest: string | null;
  readonly result: string | null;
  /** JSON text of the inline values, or null when there are none. */
  readonly inline: string | null;
  /** `metadata.runtime.timestop` when it is a finite number, else null. */
  readonly timestop: number | null;
  /** `metadata.runtime.walltime` when it is a finite number, else null. */
  readonly walltime: number | null;
  /** CRC-32 of key, result and inline text (what a hit serves). */
  readonly result_check: number;
  /** CRC-32 of the whole record. */
  readonly record_check: number;
  /** JSON text of the arguments: `[name, digest]` pairs in position order. */
  readonly arguments: string;
  /** JSON text of the metadata: namespace → data. */
  readonly metadata: string;
}

/** The `calls` row of a record. Throws `SaveError` for a version JSON cannot hold (NaN, Infinity). */
export function toRow(record: CallRecord, keeping: MetadataKeeping): CallRow {
  const stop = record.metadata.runtime?.timestop;
  const wall = record.metadata.runtime?.walltime;
  const inline = record.inline && record.inline.length ? JSON.stringify(record.inline) : null;
  let args = "[";
  for (const name in record.arguments) args += `${args.length > 1 ? "," : ""}[${JSON.stringify(name)},${JSON.stringify(record.arguments[name])}]`;
  return {
    key: record.key,
    name: record.name,
    module: record.module,
    version: encodeVersion(record.version),
    code_digest: record.codeDigest,
    result: record.result,
    inline,
    timestop: typeof stop === "number" && Number.isFinite(stop) ? stop : null,
    walltime: typeof wall === "number" && Number.isFinite(wall) ? wall : null,
    result_check: resultCheck(record.key, record.result, inline),
    record_check: recordCheck(record, keeping, inline),
    arguments: `${args}]`,
    metadata: JSON.stringify(record.metadata),
  };
}

/** The stored form of a version (also what query templates compare against). */
export function encodeVersion(version: Version): string | null {
  if (version === null) return null;
  if (typeof version === "number" && !Number.isFinite(version)) {
    throw new SaveError(`A function version must be a string or a finite number, got ${version}`);
  }
  return JSON.stringify(version);
}

/** A row as the record-loading SELECT returns it (SQLite gives JSON text, PostgreSQL parsed JSON). */
export interface StoredRow {
  readonly key: string;
  readonly name: string;
  readonly module: string | null;
  readonly version: unknown;
  readonly code_digest: string | null;
  readonly result: string | null;
  readonly inline: unknown;
  /** `[name, value]` pairs in position order. */
  readonly args: unknown;
  /** Namespace → data. */
  readonly meta: unknown;
  readonly result_check: unknown;
  readonly record_check: unknown;
}

/**
 * Rebuild a record and verify its checksum; throws an `Error` saying what is wrong when the rows do not
 * make a valid record, a `DamagedRow` when they do but not the one that was saved.
 */
export function fromRow(row: StoredRow, keeping: MetadataKeeping): CallRecord {
  const record = recordOf(row);
  if (row.record_check !== recordCheck(record, keeping, typeof row.inline === "string" ? row.inline : null)) throw new DamagedRow("its checksum does not match its content: damaged or edited");
  return record;
}

/** Rebuild a record without looking at its checksum (upgrades compute checksums from this). */
export function recordOf(row: StoredRow): CallRecord {
  const pairs = parsed(row.args) ?? [];
  if (!Array.isArray(pairs)) throw new Error("its arguments are not a list");
  const args: Record<string, string> = {};
  for (const pair of pairs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new Error("an argument is not a [name, digest] pair");
    args[pair[0]] = pair[1] as string; // a digest that is not a string is reported by recordProblem
  }
  const inline = parsed(row.inline);
  const record: CallRecord = {
    key: row.key,
    name: row.name,
    module: row.module,
    version: decodeVersion(row.version),
    codeDigest: row.code_digest,
    arguments: args,
    result: row.result,
    metadata: (parsed(row.meta) ?? {}) as CallRecord["metadata"],
    ...(inline === null || inline === undefined ? {} : { inline: inline as NonNullable<CallRecord["inline"]> }),
  };
  const problem = recordProblem(record);
  if (problem) throw new Error(problem);
  return record;
}

function parsed(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** JSON text → version; a legacy numeric column or unparsable text is taken as it is. */
function decodeVersion(stored: unknown): Version {
  if (stored === null || stored === undefined) return null;
  if (typeof stored === "number") return stored;
  const text = String(stored);
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "number" || typeof value === "string" || value === null ? value : text;
  } catch {
    return text;
  }
}

/**
 * `{ result, inline }` from their columns and checksum; throws when they are not what the store wrote.
 * `verified` remembers texts that passed, so that re-reading them unchanged skips the CRC.
 */
export function resultFromColumns(key: string, result: unknown, inline: unknown, check: unknown, verified?: VerifiedHits): ResultRef {
  if (result !== null && typeof result !== "string") throw new Error("result is neither null nor a digest");
  if (inline !== null && typeof inline !== "string") throw new Error("inline is not JSON text");
  if (!verified?.has(key, result, inline, check)) {
    if (check !== resultCheck(key, result, inline)) throw new DamagedRow("its result's checksum does not match: damaged or edited");
    verified?.add(key, result, inline, check);
  }
  if (inline === null) return { result };
  const values: unknown = JSON.parse(inline);
  const problem = inlineProblem(values);
  if (problem) throw new Error(problem);
  return { result, inline: values as NonNullable<ResultRef["inline"]> };
}

/**
 * The hot path's reading of a `[result, inline, result_check]` row: undefined for no row, and for a
 * damaged one too (reported here, so the call recomputes, and its save replaces the row, instead of
 * returning a wrong value).
 */
export function resultRefOf(
  row: readonly [unknown, unknown, unknown] | undefined,
  key: string,
  label: string,
  verified?: VerifiedHits,
): ResultRef | undefined {
  if (row === undefined) return undefined;
  try {
    return resultFromColumns(key, row[0], row[1], row[2], verified);
  } catch (error) {
    // Once per damaged row and reason: a miss reads the row again (the lease re-check), still one warning.
      warnPerCause(`${label}\0${key}\0${(error as Error).message}`, `${label}: call ${key} is unreadable (${(error as Error).message}); treating it as a miss`);
    return undefined;
  }
}
