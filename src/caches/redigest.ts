/**
 * `redigest()`: re-key stored calls after the way calls or values digest has changed (a new digest rule
 * for a class, a fixed bug in the encoding, a renamed parameter). Each record's arguments are loaded and
 * keyed again; a record whose key changed is saved under the new key and then removed from the old one.
 * Values are never removed: new value keys are added, old ones become orphans for `gc()`.
 *
 * Records are re-saved before the old key is evicted, so a concurrent reader may briefly see both keys,
 * never neither. Running it again is a no-op; a run that stopped half-way converges on the next one.
 */
import { CacheMiss, ConfigError, Indigestible } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { logger } from "../log.js";
import { LazyCall } from "../lazy-call.js";
import type { CacheCore } from "../cache-core.js";
import type { CallRecord } from "../call-record.js";

/** What to do with a record that cannot be re-keyed (a value is missing, corrupt or indigestible). @inline */
export type RedigestOnError = "raise" | "skip" | "evict";

/** Options of `redigest()`. */
export interface RedigestOptions {
  /** `"raise"` (default) stops at the first broken record (earlier ones stay migrated); `"skip"` warns and leaves it; `"evict"` warns and removes it. */
  readonly onerror?: RedigestOnError;
  /** Progress: records done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Every option of {@link RedigestOptions}; `redigest()` rejects any other key. */
export const REDIGEST_OPTION_KEYS = keysOf<RedigestOptions>()(["onerror", "onProgress"]);

/** What `redigest()` did. */
export interface RedigestReport {
  /** Records moved to a new key. */
  readonly rekeyed: { readonly from: string; readonly to: string }[];
  /** Records whose key was already right. */
  readonly unchanged: number;
  /** Keys of broken records left in place (`onerror: "skip"`). */
  readonly skipped: string[];
  /** Keys of broken records removed (`onerror: "evict"`). */
  readonly evicted: string[];
}

const POLICIES: readonly RedigestOnError[] = ["raise", "skip", "evict"];

/** Re-key every record of `cache` whose key is stale. `cache` must be writable (saves and evicts go through it). */
export async function redigestCache(cache: CacheCore, options: RedigestOptions = {}): Promise<RedigestReport> {
  rejectUnknownKeys("redigest()", options, REDIGEST_OPTION_KEYS);
  const { onerror = "raise", onProgress } = options;
  if (!POLICIES.includes(onerror)) {
    throw new ConfigError(`redigest: unknown onerror policy ${JSON.stringify(onerror)} (choose from ${POLICIES.join(", ")})`);
  }
  const records: CallRecord[] = [];
  for await (const record of cache.records({})) records.push(record); // snapshot: we write while going
  const report = { rekeyed: [] as { from: string; to: string }[], unchanged: 0, skipped: [] as string[], evicted: [] as string[] };
  let done = 0;
  for (const record of records) {
    try {
      const to = await rekey(cache, record);
      if (to === undefined) report.unchanged++;
      else report.rekeyed.push({ from: record.key, to });
    } catch (error) {
      if (onerror === "raise" || !(error instanceof CacheMiss || error instanceof Indigestible)) throw error;
      if (onerror === "skip") {
        logger().warn(`redigest: skipping ${record.key} (${record.name}): ${(error as Error).message}`);
        report.skipped.push(record.key);
      } else {
        logger().warn(`redigest: evicting ${record.key} (${record.name}): ${(error as Error).message}`);
        await cache.evict(record.key);
        report.evicted.push(record.key);
      }
    }
    done++;
    onProgress?.(done, records.length);
  }
  return report;
}

/** Re-key one record; the new key, or undefined when it was right. */
async function rekey(cache: CacheCore, record: CallRecord): Promise<string | undefined> {
  if (record.result === null) return undefined; // nothing to carry over
  const stored = new LazyCall(record, cache);
  const call = await stored.fetch();
  if (call.key === record.key) return undefined;
  const result = await stored.result();
  await cache.save(call, result, record.metadata);
  await cache.evict(record.key);
  return call.key;
}
