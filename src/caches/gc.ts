/**
 * Garbage collection of a cache's value store: mark every value a call record refers to (following
 * destructured parts through the store's optional `childDigests`), then sweep the values nothing refers
 * to. Call records are never touched. Values become orphans when records are evicted, overwritten or
 * re-keyed, and when a computation is abandoned.
 *
 * Values of calls being computed right now are spared: the cache registers every open call (see
 * `in-flight.ts`), and the pass also spares whatever the cache writes while it runs. Other processes are
 * covered by the grace period, measured from the start of the pass: a value written or touched less
 * than `grace` seconds before the pass began is kept, when the store can tell (`valueWrittenAt`). Stores
 * that touch reused values (`touchValue`) are swept through `evictValueIfStale`, which removes an entry
 * only if nobody touched it since that cutoff, atomically: a record committed at any moment during the
 * pass refers only to values its writer touched moments before, so none of them is removed. The
 * argument, its assumptions and its limits are in docs/gc.md.
 */
import { CacheMiss, ConfigError, FlecheError } from "../errors.js";
import { allKeys } from "../stores/keys.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { CallStore, ValueStore } from "../stores/types.js";
import type { InFlight } from "./in-flight.js";

/** Options of `gc()`. */
export interface GcOptions {
  /** Report what would be removed, remove nothing. @default false */
  readonly dryRun?: boolean;
  /**
   * Spare values written or touched (reused) less than this many seconds before the pass began, when
   * the value store can tell, so another process's computation in progress keeps its arguments. It must
   * exceed the time a commit takes plus 100 ms (a second is plenty) for a pass never to remove a value
   * that a record committed meanwhile refers to; 0 turns the age check off (safe only when no other
   * process writes).
   * See docs/gc.md. @default 600
   */
  readonly grace?: number;
  /** Progress: the phase, entries done, and the total when known. */
  readonly onProgress?: (phase: "mark" | "sweep", done: number, total?: number) => void;
}

/** Every option of {@link GcOptions}; `gc()` rejects any other key before it looks at a store. */
export const GC_OPTION_KEYS = keysOf<GcOptions>()(["dryRun", "grace", "onProgress"]);

/** What a garbage-collection pass found and did. */
export interface GcReport {
  /** Value keys removed (or, in a dry run, that would be removed). */
  readonly evicted: string[];
  /** Value digests the call records refer to, directly or through parts (all of them are kept). */
  readonly live: number;
  /**
   * How many of the `live` values are entries of the value store. The others travel inside the call
   * records (small values, see `inline` on `Cache`) or are digest-only references, and are no entries.
   */
  readonly stored: number;
  /** Entries the value store held when the pass listed them (`verify` counts these, plus the records). */
  readonly entries: number;
  /**
   * Unreferenced value keys kept because a call is computing with them, they are younger than the grace
   * period, or they were touched (reused) between the age check and the conditional eviction.
   */
  readonly spared: number;
  /** Call records read. */
  readonly records: number;
  /** Call records removed because they were older than an `Expiring` view's `maxAge` (counted in a dry run). */
  readonly expired: number;
  /** True when nothing was removed on purpose. */
  readonly dryRun: boolean;
}

/** The default grace period in seconds. */
export const DEFAULT_GRACE = 600;

/** An empty report, and the sum of several (stacks collect layer by layer). */
export function mergeReports(reports: readonly GcReport[], dryRun: boolean): GcReport {
  return {
    evicted: reports.flatMap((r) => r.evicted),
    live: reports.reduce((n, r) => n + r.live, 0),
    stored: reports.reduce((n, r) => n + r.stored, 0),
    entries: reports.reduce((n, r) => n + r.entries, 0),
    spared: reports.reduce((n, r) => n + r.spared, 0),
    records: reports.reduce((n, r) => n + r.records, 0),
    expired: reports.reduce((n, r) => n + r.expired, 0),
    dryRun,
  };
}

/** Collect the garbage of one value store against one call store. */
export async function collectGarbage(values: ValueStore, calls: CallStore, inFlight: InFlight, options: GcOptions = {}): Promise<GcReport> {
  rejectUnknownKeys("gc()", options, GC_OPTION_KEYS);
  const { dryRun = false, grace = DEFAULT_GRACE, onProgress } = options;
  if (!(grace >= 0)) throw new ConfigError(`gc: grace must be a number of seconds ≥ 0, got ${grace}`);
  const watch = inFlight.watch(); // from here on, every value the cache writes is spared
  // Taken before any record is listed: a record the mark phase misses was committed after this moment,
  // and its writer touched its values after `cutoff` (docs/gc.md). Grace 0 turns the age check off.
  const cutoff = grace > 0 ? Date.now() - grace * 1000 : Infinity;
  try {
    const live = new Set<string>();
    const markLive = markInto(values, live, false);
    const callKeys = await allKeys((p) => calls.listCalls(p));
    let records = 0;
    for (const key of callKeys) {
      let record;
      try {
        record = await calls.loadCall(key);
      } catch (error) {
        throw unreadable(`call record ${key}`, error);
      }
      records++;
      onProgress?.("mark", records, callKeys.length);
      if (!record) continue; // evicted meanwhile
      const roots = Object.values(record.arguments);
      if (record.result !== null) roots.push(record.result);
      await markLive(roots);
    }

    // Values of open calls, and values written since the pass began, with their parts.
    const guarded = new Set<string>();
    const markGuarded = markInto(values, guarded, true);
    let seen = 0;
    const catchUp = async () => {
      while (seen < watch.keys.length) {
        const fresh = watch.keys.slice(seen);
        seen = watch.keys.length;
        await markGuarded(fresh);
      }
    };

    const valueKeys = await allKeys((p) => values.listValues(p));
    const evicted: string[] = [];
    let spared = 0;
    let stored = 0;
    let done = 0;
    for (const key of valueKeys) {
      done++;
      onProgress?.("sweep", done, valueKeys.length);
      if (live.has(key)) {
        stored++;
        continue;
      }
      if (cutoff !== Infinity && values.valueWrittenAt) {
        const writtenAt = await values.valueWrittenAt(key);
        if (writtenAt !== undefined && writtenAt > cutoff) {
          spared++; // young: not even worth the conditional eviction below
          continue;
        }
      }
      await catchUp(); // no await between this check and the eviction below
      if (guarded.has(key)) {
        spared++;
        continue;
      }
      if (dryRun) evicted.push(key);
      else if (!values.evictValueIfStale) {
        // A store without conditional eviction: a value reused between the age check above and this
        // removal is lost (the race docs/gc.md describes); such stores must not be shared between processes.
        evicted.push(key);
        await values.evictValue(key);
      } else if (await values.evictValueIfStale(key, cutoff)) evicted.push(key);
      else spared++; // touched since the age check
    }
    return { evicted, live: live.size, stored, entries: valueKeys.length, spared, records, expired: 0, dryRun };
  } finally {
    watch.stop();
  }
}

/**
 * A marker adding keys and, transitively, their parts to `marked`. For values being written right now
 * (`tolerant`), an entry that cannot be read yet is not an error.
 */
function markInto(values: ValueStore, marked: Set<string>, tolerant: boolean) {
  return async (roots: readonly string[]): Promise<void> => {
    const queue = roots.filter((k) => !marked.has(k));
    for (const k of queue) marked.add(k);
    if (!values.childDigests) return;
    while (queue.length) {
      const key = queue.pop()!;
      let children: readonly string[];
      try {
        children = await values.childDigests(key);
      } catch (error) {
        if (error instanceof CacheMiss) continue; // not stored (a digest-only reference) or not written yet
        if (tolerant) continue;
        throw unreadable(`value ${key}`, error);
      }
      for (const child of children) {
        if (marked.has(child)) continue;
        marked.add(child);
        queue.push(child);
      }
    }
  };
}

/** An entry whose references cannot be read: never guess that what it refers to is garbage. */
function unreadable(what: string, error: unknown): FlecheError {
  return new FlecheError(
    `gc: ${what} cannot be read (${(error as Error).message}); nothing was removed, because what it refers to is unknown. ` +
      "Repair the cache first (`fleche verify --repair`).",
    "FLECHE_GC_UNREADABLE",
    { cause: error },
  );
}
