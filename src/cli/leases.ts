/** The leases behind a cache (for `fleche ls --in-progress` and `fleche verify`). */
import { isCallStore } from "../stores/types.js";
import { leasesOf, type LeaseInfo, type Leases } from "../stores/leases.js";
import { storesOf } from "./stores.js";
import type { CacheLike } from "../cache-like.js";

/** The leases of one call store, and where the store sits. */
export interface PlacedLeases {
  readonly leases: Leases;
  readonly label: string;
}

/** Every call store of `cache` (through views, stacks and pools) that keeps leases. */
export function leaseStoresOf(cache: CacheLike): PlacedLeases[] {
  const found: PlacedLeases[] = [];
  for (const { store, label } of storesOf(cache)) {
    const leases = isCallStore(store) ? leasesOf(store) : undefined;
    if (leases) found.push({ leases, label });
  }
  return found;
}

/** Every lease `leases` records, collected from its stream. */
export async function allLeases(leases: Leases): Promise<LeaseInfo[]> {
  const out: LeaseInfo[] = [];
  for await (const lease of leases.list()) out.push(lease);
  return out;
}
