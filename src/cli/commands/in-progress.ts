/**
 * `fleche ls --in-progress`: the calls being computed right now, as the leases their holders took (key,
 * host and pid of the holder, since when, until when unless renewed). Expired leases are shown as such:
 * their holder died, and `fleche verify --repair` removes them.
 */
import { openCache, type CacheSelection } from "../open.js";
import { localTime, table } from "../output.js";
import { allLeases, leaseStoresOf } from "../leases.js";
import type { LeaseInfo } from "../../stores/leases.js";

/** Options of `fleche ls --in-progress`. */
export interface InProgressOptions extends CacheSelection {
  readonly json?: boolean;
}

/** Print the leases held in every call store of the cache. */
export async function inProgress(options: InProgressOptions): Promise<void> {
  const cache = openCache(options);
  const found: (LeaseInfo & { readonly store: string })[] = [];
  for (const { leases, label } of leaseStoresOf(cache)) {
    for (const lease of await allLeases(leases)) found.push({ ...lease, store: label });
  }
  found.sort((a, b) => a.since - b.since);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
    return;
  }
  if (found.length === 0) {
    process.stdout.write("No calls in progress.\n");
    return;
  }
  const out = table(["key", "host", "pid", "since", "expires", "state", "store"]);
  for (const lease of found) {
    out.push([lease.key, lease.host, String(lease.pid), localTime(lease.since / 1000), localTime(lease.expires / 1000), lease.expired ? "expired" : "live", lease.store]);
  }
  process.stdout.write(`${out.toString()}\n`);
}

