/**
 * Config → cache. A plain cache is a table with `values` and `calls` store tables; stores are built
 * through the registry, so stores added later need no change here.
 */
import { ConfigError } from "../errors.js";
import { Cache } from "../cache.js";
import { storeFromConfig } from "../stores/registry.js";
import "../stores/builtin.js";
import type { CacheConfig, CacheLike } from "../cache-like.js";
import type { CallStore, ValueStore } from "../stores/types.js";

/** Build the cache a config describes. `origin` names where it came from in error messages. */
export function cacheFromConfig(config: CacheConfig, origin = "cache config"): CacheLike {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`${origin}: expected a table with \`values\` and \`calls\`, got ${JSON.stringify(config)}`);
  }
  const { values, calls, inline, ...rest } = config as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new ConfigError(`${origin}: unknown key \`${unknown[0]}\` (expected \`values\`, \`calls\`, \`inline\`)`);
  if (inline !== undefined && typeof inline !== "boolean") throw new ConfigError(`${origin}: \`inline\` must be true or false`);
  if (values === undefined) throw new ConfigError(`${origin}: missing \`values\` store table`);
  if (calls === undefined) throw new ConfigError(`${origin}: missing \`calls\` store table`);
  return new Cache({
    values: storeFromConfig(values, { role: "values", origin: `${origin} values` }) as ValueStore,
    calls: storeFromConfig(calls, { role: "calls", origin: `${origin} calls` }) as CallStore,
    ...(inline === undefined ? {} : { inline }),
  });
}
