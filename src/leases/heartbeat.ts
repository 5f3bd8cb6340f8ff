/**
 * The holder's heartbeat: renew the lease every `ttl / 3` while the body runs, so two renewals can be
 * lost (a slow store, a busy event loop) before the lease lapses. A renewal answered `false` means the
 * lease was taken over (it lapsed: the event loop was blocked longer than the ttl, or the machine slept);
 * the heartbeat stops, and the holder still files its result (the new holder files an equal one).
 */
import { logger } from "../log.js";
import { isPromise } from "../maybe.js";
import type { LeaseOwner, Leases } from "../stores/leases.js";

/** A running heartbeat. */
export interface Heartbeat {
  /** Stop renewing (before the release). */
  stop(): void;
}

/** Renew `owner`'s lease on `key` every `ttlMs / 3` until stopped. `label` names the call in logs. */
export function startHeartbeat(leases: Leases, key: string, owner: LeaseOwner, ttlMs: number, label: string): Heartbeat {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = async () => {
    try {
      const renewed = leases.renew(key, owner, ttlMs);
      if ((isPromise(renewed) ? await renewed : renewed) === false) {
        if (!stopped) logger().warn(`Lease on ${label} (key ${key}) was lost (it lapsed and another process took it over); finishing anyway`);
        stopped = true;
      }
    } catch (error) {
      logger().debug(`Could not renew the lease on ${label} (key ${key}): ${(error as Error).message}; retrying`);
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(beat, Math.max(1, ttlMs / 3));
    timer.unref(); // a heartbeat never keeps a process alive on its own
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
