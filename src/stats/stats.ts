/**
 * `fleche stats` and the UI's overview: per function, the calls and their runtimes (from the catalog:
 * an index on SQL, a scan elsewhere) and the bytes of the values they refer to, split into values only
 * this function refers to (own) and values other functions refer to as well (shared); per store, its
 * entries and bytes. Values are never decoded: sizes are stored entry lengths (`stored-size.ts`).
 */
import { catalogOf } from "../catalog/of.js";
import { storedSize, withParts } from "./stored-size.js";
import { storesOf } from "./stores.js";
import type { CacheLike } from "../cache-like.js";
import type { FunctionTally } from "../stores/catalog.js";
import type { ValueStore } from "../stores/types.js";

/** One function's statistics. */
export interface FunctionStats extends FunctionTally {
  /** Distinct stored values its calls refer to (arguments and results not carried inline, and their parts). */
  readonly values: number;
  /** Bytes of those values no other function refers to; null when a value store cannot tell sizes. */
  readonly ownBytes: number | null;
  /** Bytes of those values other functions refer to as well; null when a value store cannot tell sizes. */
  readonly sharedBytes: number | null;
  /** Values its calls refer to that no value store holds (dangling references; `fleche verify` reports them). */
  readonly missingValues: number;
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

/** The statistics of `cache`. */
export async function cacheStats(cache: CacheLike): Promise<CacheStats> {
  const catalog = catalogOf(cache);
  const stores = storesOf(cache);
  const valueStores = stores.flatMap((s) => (s.role === "values" ? [s.store] : []));
  const tallies = await catalog.tallies();

  // Which functions refer to each stored value (parts included).
  const referrers = new Map<string, Set<string>>();
  const partsOf = new Map<string, Set<string>>();
  for await (const [name, digest] of catalog.valueReferences()) {
    let keys = partsOf.get(digest);
    if (!keys) partsOf.set(digest, (keys = await partsIn(valueStores, digest)));
    for (const key of keys) {
      const names = referrers.get(key);
      if (names) names.add(name);
      else referrers.set(key, new Set([name]));
    }
  }
  const sizes = new Map<string, number | null | undefined>();
  for (const key of referrers.keys()) sizes.set(key, await sizeIn(valueStores, key));

  const functions = tallies.map((tally): FunctionStats => {
    let values = 0;
    let missing = 0;
    let own: number | null = 0;
    let shared: number | null = 0;
    for (const [key, names] of referrers) {
      if (!names.has(tally.name)) continue;
      const size = sizes.get(key);
      if (size === undefined) {
        missing++;
        continue;
      }
      values++;
      if (names.size === 1) own = size === null || own === null ? null : own + size;
      else shared = size === null || shared === null ? null : shared + size;
    }
    return { ...tally, values, ownBytes: own, sharedBytes: shared, missingValues: missing };
  });

  const storeStats: StoreStats[] = [];
  for (const s of stores) {
    if (s.role === "values") {
      let entries = 0;
      let bytes: number | null = 0;
      for await (const key of s.store.listValues()) {
        entries++;
        const size = sizes.has(key) ? sizes.get(key) : await storedSize(s.store, key);
        if (size === null) bytes = null;
        else if (bytes !== null && size !== undefined) bytes += size;
      }
      storeStats.push({ role: "values", type: s.store.type, entries, bytes });
    } else {
      const own = s.store.catalog;
      let entries = 0;
      if (own) entries = await own.count({});
      else for await (const _ of s.store.listCalls()) entries++;
      const bytes = own?.storedBytes ? ((await own.storedBytes()) ?? null) : null;
      storeStats.push({ role: "calls", type: s.store.type, entries, bytes });
    }
  }
  return { functions, stores: storeStats };
}

/** The value and its parts, as the first value store holding it assembles it. */
async function partsIn(stores: readonly ValueStore[], key: string): Promise<Set<string>> {
  for (const store of stores) if (await store.containsValue(key)) return withParts(store, key);
  return new Set([key]);
}

async function sizeIn(stores: readonly ValueStore[], key: string): Promise<number | null | undefined> {
  for (const store of stores) {
    const size = await storedSize(store, key);
    if (size !== undefined) return size;
  }
  return undefined;
}
