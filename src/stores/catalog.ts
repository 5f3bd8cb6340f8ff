/**
 * The catalog push-down: what the inspection tools (`fleche stats`, `fleche ui`, `f.explain`) ask of a
 * call store that can answer from an index instead of a scan of every record. A call store offers it as
 * its optional `catalog` member; caches over stores without one are scanned (`catalog/scan.ts`), with the
 * same answers. Every member reads call records only, never values.
 */
import type { MaybePromise } from "../maybe.js";
import type { CallRecord } from "../call-record.js";
import type { RecordTemplate } from "../query/template.js";

/** How many calls of one function are stored, and when the first and last finished. */
export interface FunctionCount {
  /** The function's name. */
  readonly name: string;
  /** How many calls of it are stored. */
  readonly calls: number;
  /** The earliest `metadata.runtime.timestop` (Unix seconds) among them, or null when none is dated. */
  readonly oldest: number | null;
  /** The latest `metadata.runtime.timestop`, or null when none is dated. */
  readonly newest: number | null;
}

/** The calls of one function, summed up from their records: counts and runtimes. */
export interface FunctionTally extends FunctionCount {
  /** How many of them carry a numeric `metadata.runtime.walltime`. */
  readonly timed: number;
  /** The sum of those wall times, in seconds (0 when none is timed). */
  readonly totalRuntime: number;
  /** Their median (the mean of the two middle ones for an even count), or null when none is timed. */
  readonly medianRuntime: number | null;
}

/** One dated, timed call: a point of the "runtime per call over time" plot. */
export interface RuntimePoint {
  /** The call's key. */
  readonly key: string;
  /** `metadata.runtime.timestop`, Unix seconds. */
  readonly timestop: number;
  /** `metadata.runtime.walltime`, seconds. */
  readonly walltime: number;
}

/** A pair of a function name and the digest of a value one of its calls refers to. */
export type ValueReference = readonly [name: string, digest: string];

/** Answers about the stored call records as a whole (see the file comment). */
export interface CallCatalog {
  /** The distinct function names, sorted. */
  names(): MaybePromise<readonly string[]>;
  /** One count per function name, sorted by name: what an index answers without reading metadata. */
  counts(): MaybePromise<readonly FunctionCount[]>;
  /** One tally per function name, sorted by name (counts and runtimes: reads every record's runtime). */
  tallies(): MaybePromise<readonly FunctionTally[]>;
  /**
   * Every distinct (function name, digest) pair, for the digests among `digests`, such that a call of
   * that function names the digest as an argument or its result.
   */
  valueReferences(digests: readonly string[]): Iterable<ValueReference> | AsyncIterable<ValueReference>;
  /** How many records `matchesRecord(template, ·)` accepts. */
  count(template: RecordTemplate): MaybePromise<number>;
  /**
   * The matching records ordered newest first (by `metadata.runtime.timestop`, undated records last),
   * skipping `offset` and returning at most `limit`. A store answers without reading the skipped ones.
   */
  page(template: RecordTemplate, offset: number, limit: number): MaybePromise<readonly CallRecord[]>;
  /** The runtime points of the `limit` newest matching records that are dated and timed, oldest first. */
  runtimes(template: RecordTemplate, limit: number): MaybePromise<readonly RuntimePoint[]>;
  /** Optional: the bytes the call store occupies (its database, files), when it can tell. */
  storedBytes?(): MaybePromise<number | undefined>;
}

/**
 * The runtime fields of a tally from wall times (sorted in a copy). Summed in sorted order, so every
 * store, whatever order it reads its records in, reports the same total to the last bit.
 */
export function runtimeSummary(walltimes: number[]): Pick<FunctionTally, "timed" | "totalRuntime" | "medianRuntime"> {
  // A typed copy sorts numerically in native code: many times faster than a comparator over a million.
  const sorted = Float64Array.from(walltimes);
  const medianRuntime = median(sorted);
  let totalRuntime = 0;
  for (const w of sorted) totalRuntime += w;
  return { timed: sorted.length, totalRuntime, medianRuntime };
}

/** The median of `values` (sorted in place), or null when empty. */
export function median(values: Float64Array | number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  if (values instanceof Float64Array) values.sort(); // typed arrays sort numerically
  else values.sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
