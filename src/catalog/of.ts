/**
 * The catalog of a cache: its call store's push-down when the cache reads that store directly (a
 * `Cache`, or a read-only view of one, which holds the same records), else a scan of the cache's own
 * records, so that filtered views, stacks and pools answer with exactly the calls they hold.
 */
import { scanCatalog } from "./scan.js";
import { ReadOnly } from "../caches/read-only.js";
import { isCallStore } from "../stores/types.js";
import type { CacheLike } from "../cache-like.js";
import type { CallCatalog } from "../stores/catalog.js";

/** The catalog answering for `cache`. */
export function catalogOf(cache: CacheLike): CallCatalog {
  if (cache instanceof ReadOnly) return catalogOf(cache.inner);
  const calls = (cache as { calls?: unknown }).calls;
  if ("values" in cache && isCallStore(calls) && calls.catalog) return calls.catalog;
  return scanCatalog((template) => cache.records(template));
}
