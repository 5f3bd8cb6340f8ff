/**
 * The lease contract: how a call store lets exactly one process, on any machine, compute a call at a
 * time. On a miss the wrapper asks for the lease on the call's lookup key before the body runs; the
 * holder runs the body, files the record and releases the lease, renewing it meanwhile (a heartbeat);
 * every other caller of the same key waits for the record to appear and loads it. A holder that dies
 * stops renewing, its lease expires, and exactly one waiter takes it over.
 *
 * A call store offers leases through its optional `leases` member (`CallStore.leases`). Leases
 * live in the call store's key space beside the records (a lock file next to the record, a row in a
 * leases table) but are never records: listing, querying and transferring calls never sees them.
 *
 * | member | purpose |
 * |---|---|
 * | **`acquire(key, owner, ttlMs)`** | take the lease, or take over an expired one; atomic across processes (of any number of concurrent callers at most one succeeds) |
 * | **`renew(key, owner, ttlMs)`** | the heartbeat: extend a lease `owner` holds; `false` once it no longer holds it |
 * | **`release(key, owner)`** | give the lease up (after the record is filed, or when the body failed) |
 * | **`list()`** | every recorded lease, live or expired (for `fleche ls` and repair) |
 * | **`clearExpired()`** | remove expired leases (`fleche verify --repair`) |
 * | `changed(key, signal)` | optional: resolves when the lease on `key` may have been released (a notification, e.g. PostgreSQL `NOTIFY`); waiters without it poll |
 *
 * Time: a lease's `since` and `expires` are read on the store's clock where it has one (PostgreSQL
 * `now()`); file stores use the writer's clock and tolerate a few seconds of skew between machines
 * before they call a lease expired (each store documents its tolerance).
 */
import type { MaybePromise } from "../maybe.js";

/** Who asks for a lease: one attempt to compute one call, in one process on one host. */
export interface LeaseOwner {
  /** The host name of the process. */
  readonly host: string;
  /** The process id. */
  readonly pid: number;
  /** A random token unique to this attempt: two calls in one process never share it. */
  readonly token: string;
}

/** A lease as recorded by a store. */
export interface LeaseInfo extends LeaseOwner {
  /** The lookup key of the call being computed. */
  readonly key: string;
  /** When the holder took the lease, in milliseconds since the epoch (the store's clock). */
  readonly since: number;
  /** When the lease lapses unless renewed, in milliseconds since the epoch (the store's clock). */
  readonly expires: number;
  /**
   * Whether the lease has lapsed by the store's clock and tolerance, or its holder is known to be gone
   * (a store that can tell, e.g. a process of the same host that no longer runs): it may be taken over.
   */
  readonly expired: boolean;
}

/** The answer to {@link Leases.acquire}. */
export type LeaseAttempt =
  | { readonly acquired: true }
  | {
      readonly acquired: false;
      /** Who holds the lease, when the store could read it (a lease being written may not be readable yet). */
      readonly holder?: LeaseInfo;
    };

/** The leases of one call store. Every method may answer synchronously or with a promise. */
export interface Leases {
  /**
   * Take the lease on `key` for `owner` for `ttlMs` milliseconds, unless a live lease is held on it, by
   * another owner or by `owner` itself (leases are not re-entrant). An expired lease is taken over. Atomic across processes and machines sharing the store: of any
   * number of concurrent callers, at most one is answered `acquired: true`.
   */
  acquire(key: string, owner: LeaseOwner, ttlMs: number): MaybePromise<LeaseAttempt>;
  /**
   * Extend the lease `owner` holds on `key` to `ttlMs` from now. `false` when `owner` no longer holds it
   * (it expired and was taken over, or was removed): the holder then stops renewing, though it may still
   * file its result.
   */
  renew(key: string, owner: LeaseOwner, ttlMs: number): MaybePromise<boolean>;
  /** Give up the lease `owner` holds on `key`; a no-op when `owner` does not hold it. */
  release(key: string, owner: LeaseOwner): MaybePromise<void>;
  /** Every recorded lease, live or expired, streamed. */
  list(): Iterable<LeaseInfo> | AsyncIterable<LeaseInfo>;
  /** Remove every expired lease; returns how many were removed. */
  clearExpired(): MaybePromise<number>;
  /**
   * Optional: resolves when the lease on `key` may have been released (the holder filed its record or
   * gave up), or when `signal` aborts. A wake-up is a hint: waiters look the record up again. Stores
   * without notifications leave it out and waiters poll.
   */
  changed?(key: string, signal: AbortSignal): Promise<void>;
}

/** True when `store` offers leases (its `leases` member implements {@link Leases}). */
export function leasesOf(store: unknown): Leases | undefined {
  const leases = (store as { leases?: Leases } | undefined)?.leases;
  return typeof leases?.acquire === "function" ? leases : undefined;
}
