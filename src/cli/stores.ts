/** The stores behind a cache, however it is composed (for `fleche verify`). */
import { Cache } from "../cache.js";
import type { CacheLike } from "../cache-like.js";
import type { Store } from "../stores/types.js";

/** A store and where it sits, e.g. "layer 1 values (file)". */
export interface PlacedStore {
  readonly store: Store;
  readonly label: string;
}

/** Every distinct store of `cache`: through views (`inner`), stacks (`layers`) and pools (`members`). */
export function storesOf(cache: CacheLike, where = ""): PlacedStore[] {
  const found: PlacedStore[] = [];
  const seen = new Set<Store>();
  const visit = (c: CacheLike, path: string) => {
    if (c instanceof Cache) {
      if (c.values === (c.calls as unknown) && !seen.has(c.values)) {
        // One store in both roles (a FileStore, an Sql): checked once, its count covers values and records.
        seen.add(c.values);
        found.push({ store: c.values, label: `${path}values and calls (${c.values.type}; value entries and call records together)` });
        return;
      }
      for (const role of ["values", "calls"] as const) {
        const store = c[role];
        if (seen.has(store)) continue;
        seen.add(store);
        found.push({ store, label: `${path}${role} (${store.type})` });
      }
      return;
    }
    const composed = c as { inner?: CacheLike; layers?: readonly CacheLike[]; members?: readonly CacheLike[] };
    if (composed.inner) visit(composed.inner, path);
    composed.layers?.forEach((layer, i) => visit(layer, `${path}layer ${i} `));
    composed.members?.forEach((member, i) => visit(member, `${path}member ${i} `));
  };
  visit(cache, where);
  return found;
}

