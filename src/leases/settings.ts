/**
 * Lease settings: how long a lease lasts between heartbeats (`ttl`) and how long a caller waits for
 * another process's result before it computes the call itself (`wait`). They are given per cache
 * (`new Cache({ lease })`, `lease = ...` in a cache table) and per function (`fleche(fn, { lease })`);
 * the function's settings win key by key, and `false` on either side takes no lease.
 *
 * Defaults (seconds), chosen to suit a 50 ms call and a 3-hour one alike:
 * - `ttl = 60`: the holder renews every `ttl / 3` = 20 s, a few file writes a minute whatever the call
 *   lasts; a body that blocks the event loop (synchronous work) cannot renew, so a minute leaves room for
 *   long synchronous stretches; a holder that dies on another machine is taken over about a minute
 *   later (a FileStore takes over a dead holder of its own machine at once).
 * - `wait = Infinity`: a live holder is always worth waiting for (computing the call again in parallel
 *   costs as much as waiting for it); a dead holder is caught by the `ttl`, not by the wait.
 */
import { ConfigError } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";

/** Lease options of a cache or a function (seconds). */
export interface LeaseOptions {
  /**
   * How long a lease lasts without a heartbeat, in seconds; the holder renews it every `ttl / 3`. A
   * holder that dies is taken over once it lapses (plus the store's clock-skew tolerance).
   * @default 60
   */
  readonly ttl?: number;
  /**
   * How long a caller waits for another process to finish the call, in seconds, before it gives up and
   * runs the body itself (without a lease). `Infinity` waits as long as the holder is alive.
   * @default Infinity
   */
  readonly wait?: number;
}

/** Every key of {@link LeaseOptions}. */
export const LEASE_OPTION_KEYS = keysOf<LeaseOptions>()(["ttl", "wait"]);

/** What `lease` accepts: options, `true` (the defaults) or `false` (take no lease). */
export type LeaseSetting = LeaseOptions | boolean;

/** Settled lease settings, in milliseconds. */
export interface LeaseTimes {
  readonly ttlMs: number;
  readonly waitMs: number;
}

/** The default `ttl`, in seconds. */
export const DEFAULT_LEASE_TTL = 60;
/** The default `wait`, in seconds. */
export const DEFAULT_LEASE_WAIT = Infinity;

/**
 * Check a `lease` setting; returns the options (`{}` for `true`) or `false`. `where` names the option in
 * errors (e.g. "fleche(train): `lease`").
 * @throws ConfigError for anything else, an unknown key, or a time that is not a positive number.
 */
export function checkLeaseSetting(value: unknown, where: string): LeaseOptions | false {
  if (value === undefined || value === true) return {};
  if (value === false) return false;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be true, false or a table of \`ttl\` and \`wait\` (seconds), got ${JSON.stringify(value)}`);
  }
  rejectUnknownKeys(where, value, LEASE_OPTION_KEYS);
  const { ttl, wait } = value as LeaseOptions;
  if (ttl !== undefined && !(typeof ttl === "number" && ttl > 0 && Number.isFinite(ttl))) {
    throw new ConfigError(`${where}: \`ttl\` must be a finite number of seconds > 0, got ${JSON.stringify(ttl)}`);
  }
  if (wait !== undefined && !(typeof wait === "number" && wait >= 0 && !Number.isNaN(wait))) {
    throw new ConfigError(`${where}: \`wait\` must be a number of seconds ≥ 0 (or Infinity), got ${JSON.stringify(wait)}`);
  }
  return { ...(ttl === undefined ? {} : { ttl }), ...(wait === undefined ? {} : { wait }) };
}

/** The times a call uses: the function's options over the cache's, over the defaults; none when either says `false`. */
export function leaseTimes(cache: LeaseOptions | false, fn: LeaseOptions | false): LeaseTimes | undefined {
  if (cache === false || fn === false) return undefined;
  const ttl = fn.ttl ?? cache.ttl ?? DEFAULT_LEASE_TTL;
  const wait = fn.wait ?? cache.wait ?? DEFAULT_LEASE_WAIT;
  return { ttlMs: ttl * 1000, waitMs: wait * 1000 };
}
