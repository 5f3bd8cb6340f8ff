/**
 * The options of {@link fleche}. Most are about the *key*: which calls count as the same call; `maxAge`
 * is about when a stored call is still served.
 */
import { keysOf } from "./known-keys.js";
import type { MetadataProvider } from "./metadata/provider.js";
import type { Version } from "./call-record.js";
import type { LeaseSetting } from "./leases/settings.js";

/** Options of `fleche(fn, options)`. */
export interface FlecheOptions {
  /**
   * The function's name in keys and records.
   * @default fn.name (or "anonymous")
   */
  readonly name?: string;
  /**
   * Where the function lives, part of the key so equally named functions in different files never share
   * entries. `null` leaves it out of the key (entries survive moving the function).
   * @default `package:path/of/file` of the code that called `fleche()` (see docs/wrapper.md)
   */
  readonly module?: string | null;
  /**
   * Bump to invalidate every stored result of this function. `1` and `"1"` are different versions.
   * @default null
   */
  readonly version?: Version;
  /**
   * Explicit parameter names, overriding what is parsed from the source. Prefix the last one with `...`
   * for a rest parameter: `params: ["a", "...more"]`.
   */
  readonly params?: readonly string[];
  /** Parameters left out of the key and not stored (output paths, verbosity flags, clients). */
  readonly ignore?: string | readonly string[];
  /**
   * Parameters that must be passed explicitly for the call to be cached (seeds, iteration counts whose
   * defaults should not be trusted). Without them the call runs uncached with a warning.
   */
  readonly require?: string | readonly string[];
  /**
   * Put a digest of the function's source text into the key, so editing the body invalidates old
   * results. Off by default, as in the original: closures over different values still share entries.
   * @default false
   */
  readonly hashCode?: boolean;
  /** Extra metadata providers recorded for this function, after the active ones. */
  readonly meta?: readonly MetadataProvider[];
  /**
   * Throw instead of warning when a call cannot be cached (indigestible or missing required argument,
   * a store that refuses a write). Long runs then fail loudly instead of silently running uncached.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Serve a stored call only when it finished at most this long ago (seconds, or "90s", "15m", "12h",
   * "7d"); an older one runs again and replaces the record. Needs `Runtime` metadata (on by default):
   * records without their finishing time never expire. A hit then reads the record before the value.
   * @default no limit
   */
  readonly maxAge?: number | string;
  /**
   * Leases across processes and machines: on a miss, one process computes the call and the others wait
   * for its record (docs/leases.md). `{ ttl, wait }` in seconds wins key by key over the active cache's
   * settings; `false` takes no lease for this function (in-process single flight remains).
   * @default the active cache's settings (ttl 60 s, wait Infinity)
   */
  readonly lease?: LeaseSetting;
}

/** Every option {@link FlecheOptions} has; `fleche()` rejects any other key when wrapping (never per call). */
export const FLECHE_OPTION_KEYS = keysOf<FlecheOptions>()(["name", "module", "version", "params", "ignore", "require", "hashCode", "meta", "strict", "maxAge", "lease"]);
