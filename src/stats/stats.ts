/**
 * `fleche stats` and the UI's overview: per function, the calls and their runtimes (from the catalog:
 * an index on SQL, a scan elsewhere) and the bytes of the stored values they refer to, split into values
 * only this function refers to (own) and values other functions refer to as well (shared); per store,
 * its entries and bytes. The value stores are listed once and each entry sized once, by its stored
 * length, never decoded (`stored-size.ts`); the call store is asked which functions name those digests.
 */
import { catalogOf } from "../catalog/of.js";
import { storedSize, withParts } from "./stored-size.js";
import { storesOf } from "./stores.js";
import type { CacheLike } from "../cache-like.js";
import type { FunctionTally } from "../stores/catalog.js";
import type { ValueStore } from "../stores/types.js";

/** One function's statistics. */
export interface FunctionStats extends FunctionTally {
  /**
   * Distinct stored values its calls refer to (arguments and results, and the parts they are assembled
   * from). Values that are not stored (small ones travel inside records; gone ones are reported by
   * `fleche verify`) are not counted.
   */
  readonly values: number;
  /** Bytes of those values no other function refers to; null when a value store cannot tell sizes. */
  readonly ownBytes: number | null;
  /** Bytes of those values other functions refer to as well; null when a value store cannot tell sizes. */
  readonly sharedBytes: number | null;
}

/** One store's statistics. */
export interface StoreStats {
  /** `values` or `calls`. */
  readonly role: "values" | "calls";
  /** The store's type (`file`, `sql`, …). */
  readonly type: string;
  /** Entries: values, or call records. */
  readonly entries: number;
  /** Bytes stored, or null when the store cannot tell. */
  readonly bytes: number | null;
}

/** What `fleche stats` reports. */
export interface CacheStats {
  /** Per function, sorted by name. */
  readonly functions: readonly FunctionStats[];
  /** Per store under the cache. */
  readonly stores: readonly StoreStats[];
}

/**
 * The statistics of `cache`. `tallies`, when given, are the catalog's tallies computed a moment ago
 * (the UI computes them first), so they are not read again.
 */
export async function cacheStats(cache: CacheLike, tallies?: readonly FunctionTally[]): Promise<CacheStats> {
  const catalog = catalogOf(cache);
  const stores = storesOf(cache);
  tallies ??= await catalog.tallies();

  // Every stored value once: the first value store listing it holds it (and sizes it).
  const holder = new Map<string, ValueStore>();
  const sizes = new Map<string, number | null>();
  const storeStats: StoreStats[] = [];
  for (const s of stores) {
    if (s.role !== "values") continue;
    let entries = 0;
    let bytes: number | null = 0;
    for await (const key of s.store.listValues()) {
      entries++;
      const size = await storedSize(s.store, key);
      if (size === undefined) continue; // removed while listing
      if (!holder.has(key)) {
        holder.set(key, s.store);
        sizes.set(key, size);
      }
      bytes = size === null || bytes === null ? null : bytes + size;
    }
    storeStats.push({ role: "values", type: s.store.type, entries, bytes });
  }

  // Which functions refer to each stored value: directly, or through a value assembled from it.
  const referrers = new Map<string, Set<string>>();
  for await (const [name, digest] of catalog.valueReferences([...holder.keys()])) {
    for (const key of await withParts(holder.get(digest)!, digest)) {
      if (!holder.has(key)) continue; // a part gone missing: nothing stored to count
      const names = referrers.get(key);
      if (names) names.add(name);
      else referrers.set(key, new Set([name]));
    }
  }

  const functions = tallies.map((tally): FunctionStats => {
    let values = 0;
    let own: number | null = 0;
    let shared: number | null = 0;
    for (const [key, names] of referrers) {
      if (!names.has(tally.name)) continue;
      const size = sizes.get(key)!;
      values++;
      if (names.size === 1) own = size === null || own === null ? null : own + size;
      else shared = size === null || shared === null ? null : shared + size;
    }
    return { ...tally, values, ownBytes: own, sharedBytes: shared };
  });

  for (const s of stores) {
    if (s.role !== "calls") continue;
    const own = s.store.catalog;
    let entries = 0;
    if (own) entries = await own.count({});
    else for await (const _ of s.store.listCalls()) entries++;
    const bytes = own?.storedBytes ? ((await own.storedBytes()) ?? null) : null;
    storeStats.push({ role: "calls", type: s.store.type, entries, bytes });
  }
  return { functions, stores: storeStats };
}
