/**
 * What a cache offers the wrapper for leases: the {@link Leases} of the store that holds its shared
 * records, and the cache's lease settings. `CacheCore.leasing()` returns it, or nothing when the cache
 * takes no leases (memory caches, pools, read-only views, `lease = false`).
 */
import type { Leases } from "../stores/leases.js";
import type { LeaseOptions } from "./settings.js";

/** The leases a cache takes, and its settings for them. */
export interface Leasing {
  /** The call store's leases. */
  readonly leases: Leases;
  /** The cache's lease options (a function's own options win over them). */
  readonly options: LeaseOptions;
}
