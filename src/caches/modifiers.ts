/**
 * Views write their config as modifiers on the config of the cache they wrap: `read_only = true`,
 * `max_size = 100`, `filter = {...}` next to `values`/`calls`, a `template`, a `pool` or a `stack`.
 * `cacheFromConfig` applies them in a fixed order (size limit, then age limit, then filter, then read-only
 * outermost).
 * This file lives beside the views, not in `config/`, so that caches never import the config layer.
 */
import { ConfigError } from "../errors.js";
import type { CacheConfig } from "../cache-like.js";

/** The keys that modify whatever cache a table describes. */
export const MODIFIER_KEYS = ["max_size", "max_bytes", "eviction", "max_age", "filter", "read_only"] as const;

/** `inner` with `modifiers` added; a stack (an array) becomes a `{ stack = [...] }` table first. */
export function withModifiers(inner: CacheConfig, modifiers: Readonly<Record<string, unknown>>, view: string): CacheConfig {
  const table: Record<string, unknown> = Array.isArray(inner) ? { stack: inner } : { ...(inner as Record<string, unknown>) };
  for (const [key, value] of Object.entries(modifiers)) {
    if (value === undefined) continue;
    if (key in table) {
      throw new ConfigError(`${view}.toConfig(): the wrapped cache already sets \`${key}\`; this nesting has no config form`);
    }
    table[key] = value;
  }
  return table;
}
