/**
 * The lease protocol of a miss, across processes and machines: take the lease on the call key and
 * compute, or wait for the holder's record and return it.
 *
 * 1. `acquire`. Taken: look the record up once more (the previous holder may have filed it between our
 *    miss and our acquire), then run the body with a heartbeat, file the record, release. A body that
 *    throws releases at once (errors are never cached), and waiters then take the lease themselves.
 * 2. Not taken: wait, look the record up, try again. The wait between two looks grows with the time spent
 *    waiting: `waited / 100`, between {@link MIN_POLL_MS} and {@link MAX_POLL_MS}, so a waiter notices
 *    the record within 10 ms of a 1 s call and within 1% of a long one; a store with `changed` wakes
 *    waiters as soon as the holder releases. Trying to acquire again at every step is what makes a dead
 *    holder's lease, once lapsed, go to exactly one waiter, and a failed holder's go at once.
 * 3. After `wait` without a result, the caller gives up and runs the body itself, without a lease.
 *
 * Waiting is logged once per call, at debug level.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { logger } from "../log.js";
import { MISS } from "../cache-core.js";
import type { MaybePromise } from "../maybe.js";
import type { LeaseInfo, LeaseOwner, Leases } from "../stores/leases.js";
import type { LeaseTimes } from "./settings.js";
import { newOwner } from "./owner.js";
import { startHeartbeat } from "./heartbeat.js";

/** The shortest pause between two looks of a waiter, in milliseconds. */
export const MIN_POLL_MS = 2;
/** The longest pause between two looks of a waiter, in milliseconds. */
export const MAX_POLL_MS = 1000;

/** One miss to compute under a lease. */
export interface LeasedMiss<T> {
  /** The leases of the cache's shared call store. */
  readonly leases: Leases;
  readonly times: LeaseTimes;
  /** The call's lookup key. */
  readonly key: string;
  /** The function's name, for logs. */
  readonly label: string;
  /** The stored result of the call, or `MISS`. */
  readonly lookup: () => MaybePromise<unknown>;
  /**
   * Whether a record of the call is stored (cheaper than a lookup that misses: no record is read): the
   * check right after acquiring asks it first and looks up only when a record is there.
   */
  readonly contains?: () => Promise<boolean>;
  /** Run the body and file its result. */
  readonly compute: () => Promise<T>;
}

/** The call's result: computed here under the lease, or another process's, loaded once it is filed. */
export async function computeOnce<T>(miss: LeasedMiss<T>): Promise<T | unknown> {
  const { leases, key, label, times } = miss;
  const owner = newOwner();
  const started = performance.now();
  let announced = false;
  for (;;) {
    let attempt: Awaited<ReturnType<Leases["acquire"]>>;
    try {
      attempt = await leases.acquire(key, owner, times.ttlMs);
    } catch (error) {
      logger().warn(`Cannot take the lease on ${label} (key ${key}): ${(error as Error).message}; running the body without one`);
      return miss.compute();
    }
    if (attempt.acquired) return hold(miss, owner);
    if (!announced) {
      announced = true;
      logger().debug(`Waiting for ${label} (key ${key}), being computed by ${describeHolder(attempt.holder)}`);
    }
    const waited = performance.now() - started;
    if (waited >= times.waitMs) {
      logger().debug(`Gave up waiting for ${label} (key ${key}) after ${Math.round(waited)} ms; running the body here`);
      return miss.compute();
    }
    await pause(leases, key, Math.min(pollDelay(waited), times.waitMs - waited));
    const hit = await lookupQuietly(miss);
    if (hit !== MISS) {
      logger().debug(`Cache hit for ${label} with key ${key}, filed by another process after ${Math.round(performance.now() - started)} ms`);
      return hit;
    }
  }
}

/** The pause after waiting `waitedMs`: 1% of it, within the bounds. */
export function pollDelay(waitedMs: number): number {
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, waitedMs / 100));
}

/** Holding the lease: look again, then compute with a heartbeat; release whatever happens. */
async function hold<T>(miss: LeasedMiss<T>, owner: LeaseOwner): Promise<T | unknown> {
  const { leases, key, label, times } = miss;
  const hit = (await containsQuietly(miss)) ? await lookupQuietly(miss) : MISS;
  if (hit !== MISS) {
    await releaseQuietly(leases, key, owner, label);
    return hit;
  }
  const heartbeat = startHeartbeat(leases, key, owner, times.ttlMs, label);
  try {
    return await miss.compute();
  } finally {
    heartbeat.stop();
    await releaseQuietly(leases, key, owner, label);
  }
}

/** Sleep `ms`, or less when the store says the lease may have changed. */
async function pause(leases: Leases, key: string, ms: number): Promise<void> {
  if (!leases.changed) return sleep(ms);
  const controller = new AbortController();
  try {
    await Promise.race([
      sleep(Math.max(ms, MAX_POLL_MS), undefined, { signal: controller.signal }),
      leases.changed(key, controller.signal),
    ]);
  } catch (error) {
    if ((error as Error).name !== "AbortError") logger().debug(`Lease notifications failed: ${(error as Error).message}; polling`);
  } finally {
    controller.abort();
  }
}

/** A lookup whose failure counts as a miss here: the acquire that follows decides what to do. */
async function lookupQuietly(miss: LeasedMiss<unknown>): Promise<unknown> {
  try {
    return await miss.lookup();
  } catch (error) {
    logger().debug(`Lookup of ${miss.label} (key ${miss.key}) failed while leasing: ${(error as Error).message}`);
    return MISS;
  }
}

/** Whether a record may be there (when the cache cannot say cheaply, or fails to: yes, look it up). */
async function containsQuietly(miss: LeasedMiss<unknown>): Promise<boolean> {
  if (!miss.contains) return true;
  try {
    return await miss.contains();
  } catch {
    return true;
  }
}

/** Release; a failure only delays the lease's end to its expiry, so it is logged, not thrown. */
async function releaseQuietly(leases: Leases, key: string, owner: LeaseOwner, label: string): Promise<void> {
  try {
    await leases.release(key, owner);
  } catch (error) {
    logger().debug(`Could not release the lease on ${label} (key ${key}): ${(error as Error).message}; it lapses on its own`);
  }
}

function describeHolder(holder: LeaseInfo | undefined): string {
  if (!holder) return "another process";
  return `pid ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`;
}
