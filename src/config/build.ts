/**
 * Config → cache, for every shape (see docs/configuration.md):
 *
 * - `{ values = {...}, calls = {...} }`: a plain `Cache` over two stores, built through the store
 *   registry (so stores registered later need no change here);
 * - `{ template = "file", root = "..." }`: a template, expanded to the plain form;
 * - an array of caches, or `{ stack = [...] }`: a `CacheStack` (the first layer takes the writes, every
 *   writable one with `write_through = true`);
 * - `{ pool = [...] }`: a read-only `CachePool`;
 * - modifiers on any of these: `max_size` / `max_bytes` / `eviction` (a `SizeLimited` wrapper), `max_age`
 *   (an `Expiring` view), `filter`
 *   (a `Filtered` view), `read_only = true` (a `ReadOnly` view, outermost).
 *
 * Errors are `ConfigError`s naming `origin` (file and table) and the offending key. The input is never
 * modified. Store `type`s resolve through the registry, where the entry points (`index.ts`, the CLI)
 * register the built-in stores: config depends on the cache, never the reverse, and importing this file
 * loads no store.
 */
import { ConfigError } from "../errors.js";
import { Cache } from "../cache.js";
import { storeFromConfig } from "../stores/registry.js";
import { CacheStack } from "../caches/stack.js";
import { CachePool } from "../caches/pool.js";
import { ReadOnly } from "../caches/read-only.js";
import { Filtered, filterFromConfig } from "../caches/filtered.js";
import { SizeLimited } from "../caches/size-limited.js";
import { Expiring } from "../caches/expiring.js";
import { parseDuration } from "../duration.js";
import { MODIFIER_KEYS } from "../caches/modifiers.js";
import { expandTemplate } from "./templates.js";
import { didYouMean } from "../known-keys.js";
import { parseBytes } from "./bytes.js";
import { checkLeaseSetting } from "../leases/settings.js";
import { evictionNames } from "../caches/eviction.js";
import type { CacheConfig, CacheLike } from "../cache-like.js";
import type { CallStore, ValueStore } from "../stores/types.js";

const PLAIN_KEYS = ["values", "calls", "inline", "lease"];
const SHAPE_KEYS = ["template", "stack", "pool"];

/**
 * Build the cache a config describes: the inverse of every cache's `toConfig()`. `origin` names where
 * the config came from in error messages.
 */
export function cacheFromConfig(config: CacheConfig, origin = "cache config"): CacheLike {
  if (Array.isArray(config)) return stackFromConfig(config, origin);
  if (!isTable(config)) {
    throw new ConfigError(
      `${origin}: a cache is a table (\`values\`/\`calls\`, \`template\`, \`stack\` or \`pool\`) or an array of tables (a stack), got ${JSON.stringify(config)}`,
    );
  }
  const { max_size, max_bytes, eviction, max_age, filter, read_only, ...base } = config as Record<string, unknown>;
  let cache = baseFromConfig(base, origin);
  if (max_size !== undefined || max_bytes !== undefined) {
    cache = new SizeLimited(cache, {
      ...(max_size === undefined ? {} : { maxSize: wholeNumber(max_size, "max_size", origin) }),
      ...(max_bytes === undefined ? {} : { maxBytes: parseBytes(max_bytes, `${origin}: \`max_bytes\``) }),
      ...(eviction === undefined ? {} : { eviction: policyName(eviction, origin) }),
    });
  } else if (eviction !== undefined) {
    throw new ConfigError(`${origin}: \`eviction\` needs \`max_size\` or \`max_bytes\` next to it`);
  }
  if (max_age !== undefined) cache = new Expiring(cache, { maxAge: parseDuration(max_age, `${origin}: \`max_age\``) as number });
  if (filter !== undefined) cache = new Filtered(cache, filterFromConfig(filter, origin));
  if (read_only !== undefined && typeof read_only !== "boolean") throw new ConfigError(`${origin}: \`read_only\` must be true or false`);
  if (read_only) cache = new ReadOnly(cache);
  return cache;
}

function baseFromConfig(base: Record<string, unknown>, origin: string): CacheLike {
  if ("stack" in base) {
    onlyKeys(base, ["stack", "write_through"], origin);
    if (!Array.isArray(base.stack)) throw new ConfigError(`${origin}: \`stack\` must be an array of caches`);
    const writeThrough = base.write_through;
    if (writeThrough !== undefined && typeof writeThrough !== "boolean") throw new ConfigError(`${origin}: \`write_through\` must be true or false`);
    return stackFromConfig(base.stack, `${origin}.stack`, writeThrough === true);
  }
  if ("pool" in base) {
    onlyKeys(base, ["pool"], origin);
    if (!Array.isArray(base.pool)) throw new ConfigError(`${origin}: \`pool\` must be an array of caches`);
    return new CachePool(base.pool.map((member, i) => cacheFromConfig(member as CacheConfig, `${origin}.pool[${i}]`)));
  }
  if ("template" in base) {
    const { template, inline, lease, ...args } = base;
    const { values, calls } = expandTemplate(template, args, origin);
    return plainFromConfig({ values, calls, ...(inline === undefined ? {} : { inline }), ...(lease === undefined ? {} : { lease }) }, origin);
  }
  return plainFromConfig(base, origin);
}

function stackFromConfig(layers: readonly unknown[], origin: string, writeThrough = false): CacheStack {
  if (layers.length === 0) throw new ConfigError(`${origin}: a stack needs at least one layer`);
  return new CacheStack(
    layers.map((layer, i) => {
      if (Array.isArray(layer)) throw new ConfigError(`${origin}[${i}]: stacks do not nest; list the layers in one stack`);
      const built = cacheFromConfig(layer as CacheConfig, `${origin}[${i}]`);
      if (built instanceof CacheStack) throw new ConfigError(`${origin}[${i}]: stacks do not nest; list the layers in one stack`);
      return built;
    }),
    writeThrough ? { writeThrough } : {},
  );
}

function plainFromConfig(table: Record<string, unknown>, origin: string): Cache {
  const { values, calls, inline, lease, ...rest } = table;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    const known = [...PLAIN_KEYS, ...SHAPE_KEYS, ...MODIFIER_KEYS];
    throw new ConfigError(`${origin}: unknown key \`${unknown}\`${didYouMean(unknown, known)} (expected one of: ${known.join(", ")})`);
  }
  if (inline !== undefined && typeof inline !== "boolean") throw new ConfigError(`${origin}: \`inline\` must be true or false`);
  if (values === undefined) throw new ConfigError(`${origin}: missing \`values\` store table (or use \`template = ...\`)`);
  if (calls === undefined) throw new ConfigError(`${origin}: missing \`calls\` store table (or use \`template = ...\`)`);
  return new Cache({
    values: storeFromConfig(values, { role: "values", origin: `${origin} values` }) as ValueStore,
    calls: storeFromConfig(calls, { role: "calls", origin: `${origin} calls` }) as CallStore,
    ...(inline === undefined ? {} : { inline }),
    ...(lease === undefined ? {} : { lease: checkLeaseSetting(lease, `${origin}: \`lease\``) }),
  });
}

function onlyKeys(table: Record<string, unknown>, allowed: string[], origin: string): void {
  for (const key of Object.keys(table)) {
    if (!allowed.includes(key)) {
      const also = allowed.slice(1);
      throw new ConfigError(
        `${origin}: key \`${key}\` does not go with \`${allowed[0]}\` (a ${allowed[0]} takes only ${also.length ? `${also.join(", ")} and ` : ""}modifiers: ${MODIFIER_KEYS.join(", ")})`,
      );
    }
  }
}

function wholeNumber(value: unknown, key: string, origin: string): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new ConfigError(`${origin}: \`${key}\` must be a whole number ≥ 1, got ${JSON.stringify(String(value))}`);
  return n;
}

function policyName(value: unknown, origin: string): string {
  if (typeof value !== "string" || !evictionNames().includes(value)) {
    throw new ConfigError(`${origin}: unknown eviction policy ${JSON.stringify(value)} in key \`eviction\` (known: ${evictionNames().join(", ")})`);
  }
  return value;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
