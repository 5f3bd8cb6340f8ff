/**
 * Whether a cache can travel with a task: it can when its config rebuilds, in another thread or process,
 * a cache over the same storage. Memory stores (and SQLite `:memory:` databases) rebuild as new, empty
 * ones, and views filtered by a function have no config at all: such caches stay home, and the side that
 * submitted the calls commits their results itself.
 */
import type { CacheConfig, CacheLike } from "../cache-like.js";

/** The config that rebuilds `cache` elsewhere over the same storage, or null when there is none. */
export function travellingConfig(cache: CacheLike): CacheConfig | null {
  let config: CacheConfig;
  try {
    config = cache.toConfig();
  } catch {
    return null; // no config form (a view filtered by a function)
  }
  return mentionsProcessStorage(config) ? null : config;
}

/** True when some store in `config` lives in this process's memory. */
function mentionsProcessStorage(config: unknown): boolean {
  if (Array.isArray(config)) return config.some(mentionsProcessStorage);
  if (config === null || typeof config !== "object") return false;
  const table = config as Record<string, unknown>;
  if (table.type === "memory") return true;
  if (typeof table.url === "string" && /(^|:\/\/\/?):memory:$/.test(table.url)) return true;
  if (table.template === "memory") return true;
  return Object.values(table).some(mentionsProcessStorage);
}
