/** A call record as a row of the UI's calls table: identity, small values, digests, time and tags. */
import { inlineValueOf, type CallRecord, type InlineValue, type JsonValue, type Version } from "../call-record.js";

/** An argument or result in a row: its digest and, when it travels inside the record, its value. */
export interface CellValue {
  readonly digest: string;
  readonly value?: InlineValue;
}

/** One row of the calls table. */
export interface CallRow {
  readonly key: string;
  readonly name: string;
  readonly module: string | null;
  readonly version: Version;
  readonly arguments: readonly (CellValue & { readonly name: string })[];
  /** Null while pending. */
  readonly result: CellValue | null;
  /** `runtime.timestop`, Unix seconds. */
  readonly timestop?: number;
  /** `runtime.walltime`, seconds. */
  readonly walltime?: number;
  readonly tags?: { readonly [key: string]: JsonValue };
}

/** The row of `record`. */
export function rowOf(record: CallRecord): CallRow {
  const cell = (digest: string): CellValue => {
    const value = inlineValueOf(record, digest);
    return value === undefined ? { digest } : { digest, value };
  };
  const { timestop, walltime } = record.metadata.runtime ?? {};
  return {
    key: record.key,
    name: record.name,
    module: record.module,
    version: record.version,
    arguments: Object.entries(record.arguments).map(([name, digest]) => ({ name, ...cell(digest) })),
    result: record.result === null ? null : cell(record.result),
    ...(typeof timestop === "number" ? { timestop } : {}),
    ...(typeof walltime === "number" ? { walltime } : {}),
    ...(record.metadata.tags ? { tags: record.metadata.tags } : {}),
  };
}
