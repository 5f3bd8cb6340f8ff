/**
 * The plain caches (a value store and a call store) inside any composition: through views (`inner`),
 * stacks (`layers`) and pools (`members`), each with where it sits and whether anything above it
 * refuses writes. Whole-cache checks (`references.ts`) work cache by cache and need both.
 */
import { isReadOnly } from "./read-only-mark.js";
import { isCallStore, isValueStore, type CallStore, type ValueStore } from "../stores/types.js";
import type { CacheLike } from "../cache-like.js";

/** A cache made of two stores, as `Cache` is (duck-typed, so this module does not import `cache.ts`). */
export interface StoreBacked extends CacheLike {
  readonly values: ValueStore;
  readonly calls: CallStore;
}

/** A plain cache and where it sits, e.g. "layer 1 " (empty for the top). */
export interface PlacedCache {
  readonly cache: StoreBacked;
  /** Where it sits in the composition, ending with a space when not empty ("layer 0 ", "member 1 "). */
  readonly path: string;
  /** True when a view or pool above it refuses writes (read-only, filtered, pool). */
  readonly readOnly: boolean;
}

/** Every distinct plain cache of `cache`, in composition order. */
export function placedCaches(cache: CacheLike): PlacedCache[] {
  const found: PlacedCache[] = [];
  const seen = new Set<CacheLike>();
  const visit = (c: CacheLike, path: string, readOnly: boolean) => {
    const below = readOnly || isReadOnly(c);
    if (isStoreBacked(c)) {
      if (!seen.has(c)) found.push({ cache: c, path, readOnly: below });
      seen.add(c);
      return;
    }
    const composed = c as { inner?: CacheLike; layers?: readonly CacheLike[]; members?: readonly CacheLike[] };
    if (composed.inner) visit(composed.inner, path, below);
    composed.layers?.forEach((layer, i) => visit(layer, `${path}layer ${i} `, below));
    composed.members?.forEach((member, i) => visit(member, `${path}member ${i} `, below));
  };
  visit(cache, "", false);
  return found;
}

function isStoreBacked(cache: CacheLike): cache is StoreBacked {
  const c = cache as Partial<StoreBacked>;
  return isValueStore(c.values) && isCallStore(c.calls);
}
