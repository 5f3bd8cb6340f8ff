/**
 * Typed configuration for those who prefer code to TOML: `defineConfig({...})` checks the shape at
 * compile time and returns it unchanged; hand it to `configure()` (or export it from a
 * `fleche.config.mjs` that the CLI loads with `--config`). Keys are the TOML keys (snake_case).
 *
 * @example
 * import { configure, defineConfig } from "fleche";
 * configure(defineConfig({
 *   default: { cache: "persistent", metadata: ["Runtime"] },
 *   persistent: { template: "file", root: "cache" },
 * }), { baseDir: import.meta.dirname });
 */
import type { StoreConfig } from "../stores/types.js";

/** A store table: `type` plus the store's snake_case options. */
export type StoreTable = StoreConfig;

/** What may modify any cache shape. */
export interface CacheModifiers {
  /** Keep at most this many call records. */
  readonly max_size?: number;
  /** Keep the values the records refer to within this many bytes (a number or "500MB"). */
  readonly max_bytes?: number | string;
  /** Which record goes when full: "random" (default), "lru", "lrc". */
  readonly eviction?: string;
  /** Serve only calls that finished at most this long ago: seconds, or "90s", "15m", "12h", "7d". */
  readonly max_age?: number | string;
  /** Only calls matching this query filter are visible (a read-only view). */
  readonly filter?: {
    readonly name?: string;
    readonly module?: string | null;
    readonly version?: string | number | null;
    readonly code_digest?: string | null;
    readonly args?: { readonly [name: string]: unknown };
    readonly result?: unknown;
    readonly metadata?: { readonly [namespace: string]: { readonly [key: string]: unknown } };
  };
  /** Serve results, refuse saves. */
  readonly read_only?: boolean;
}

/** A cache over two explicit stores. */
export interface PlainCacheTable extends CacheModifiers {
  readonly values: StoreTable;
  readonly calls: StoreTable;
  /** Keep small values inside call records (default true). */
  readonly inline?: boolean;
  /** Leases on call keys: `false`, `true`, or `{ ttl, wait }` in seconds (docs/leases.md). */
  readonly lease?: boolean | { readonly ttl?: number; readonly wait?: number };
}

/** A cache from a template: "memory", "file", "hdf5", "sql", or a registered one. */
export interface TemplateCacheTable extends CacheModifiers {
  readonly template: string;
  readonly root?: string;
  readonly url?: string;
  readonly values?: string | StoreTable;
  readonly inline?: boolean;
  /** Leases on call keys: `false`, `true`, or `{ ttl, wait }` in seconds (docs/leases.md). */
  readonly lease?: boolean | { readonly ttl?: number; readonly wait?: number };
}

/** A stack written as a table (so modifiers can apply to it). */
export interface StackCacheTable extends CacheModifiers {
  readonly stack: readonly CacheShape[];
  /** Write every call to every writable layer, not only the first (a team's shared layer behind a machine's own). */
  readonly write_through?: boolean;
}

/** A read-only pool. */
export interface PoolCacheTable extends CacheModifiers {
  readonly pool: readonly CacheShape[];
}

/** Any cache shape; an array is a stack. */
export type CacheShape = PlainCacheTable | TemplateCacheTable | StackCacheTable | PoolCacheTable | readonly CacheShape[];

/** The `[default]` table. @inline */
export interface DefaultTable {
  /** The default cache: a section name or an inline cache. */
  readonly cache?: string | CacheShape;
  /** Metadata provider names, e.g. ["Runtime"]. */
  readonly metadata?: readonly string[];
  /** Make configuration mistakes errors instead of warnings. */
  readonly strict?: boolean;
  /** Stop looking for configuration in farther directories. */
  readonly root?: boolean;
}

/** A whole configuration: `default` plus named cache sections. */
export interface FlecheConfig {
  readonly default?: DefaultTable;
  readonly [name: string]: CacheShape | DefaultTable | undefined;
}

/** Returns `config` unchanged; exists for its type. */
export function defineConfig<const T extends FlecheConfig>(config: T): T {
  return config;
}
