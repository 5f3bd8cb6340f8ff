/**
 * Cache names → caches. The reserved names `"memory"`, `"void"` and `"default"` always work; with no
 * configuration the default is an in-memory cache, announced once on stderr. Resolved caches are
 * interned: the same name always yields the same instance.
 */
import { ConfigError } from "../errors.js";
import { logger } from "../log.js";
import { Cache } from "../cache.js";
import { Memory } from "../stores/memory.js";
import { Void } from "../stores/void.js";
import type { CacheLike } from "../cache-like.js";

const interned = new Map<string, CacheLike>();

/** A fresh in-memory cache. */
export function memoryCache(): Cache {
  return new Cache({ values: new Memory(), calls: new Memory() });
}

/** The cache a name stands for. */
export function resolveCacheName(name: string): CacheLike {
  const known = interned.get(name);
  if (known) return known;
  let cache: CacheLike;
  if (name === "memory") cache = memoryCache();
  else if (name === "void") cache = new Cache({ values: new Void(), calls: new Void() });
  else if (name === "default") cache = defaultCache();
  else throw new ConfigError(`Unknown cache name '${name}': no configuration defines it (reserved names: memory, void, default)`);
  interned.set(name, cache);
  return cache;
}

let fallback: CacheLike | undefined;

/** The configured default cache (without configuration: one in-memory cache for the process). */
export function defaultCache(): CacheLike {
  if (!fallback) {
    logger().info("No config file found. Using default memory cache.");
    fallback = memoryCache();
  }
  return fallback;
}

/** Forget every resolved cache so the next lookup starts afresh (for tests). */
export function resetConfig(): void {
  interned.clear();
  fallback = undefined;
}
