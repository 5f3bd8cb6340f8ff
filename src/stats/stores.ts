/**
 * The stores behind a cache, for per-store statistics: a `Cache`'s value and call stores, through the
 * views over it (read-only, filtered, size-limited, refreshing) and the layers of stacks and members of
 * pools, each store once.
 */
import { Cache } from "../cache.js";
import { CacheView } from "../caches/view.js";
import type { CacheLike } from "../cache-like.js";
import type { CallStore, ValueStore } from "../stores/types.js";

/** One store of a cache in one role. */
export type StoreInRole = { readonly role: "values"; readonly store: ValueStore } | { readonly role: "calls"; readonly store: CallStore };

/** The stores under `cache`, each (store, role) once, values before calls per cache. */
export function storesOf(cache: CacheLike): StoreInRole[] {
  const out: StoreInRole[] = [];
  const seen = new Set<unknown>();
  const visit = (c: CacheLike): void => {
    if (c instanceof Cache) {
      if (!out.some((s) => s.role === "values" && s.store === c.values)) out.push({ role: "values", store: c.values });
      if (!out.some((s) => s.role === "calls" && s.store === c.calls)) out.push({ role: "calls", store: c.calls });
      return;
    }
    if (seen.has(c)) return;
    seen.add(c);
    if (c instanceof CacheView) return visit(c.inner);
    const parts = (c as { layers?: readonly CacheLike[]; members?: readonly CacheLike[] }).layers ?? (c as { members?: readonly CacheLike[] }).members ?? [];
    for (const part of parts) visit(part);
  };
  visit(cache);
  return out;
}
