/**
 * Calls in flight per cache: concurrent identical calls in one process share one execution (the
 * process-local half of "computed once"; leases are the cross-process half).
 */
import type { CacheLike } from "./cache-like.js";

const inFlight = new WeakMap<CacheLike, Map<string, Promise<unknown>>>();
let lastCache: CacheLike | undefined;
let lastFlights: Map<string, Promise<unknown>> | undefined;

/** The executions in flight on `cache`, by call key. */
export function flightsOf(cache: CacheLike): Map<string, Promise<unknown>> {
  if (cache === lastCache) return lastFlights!; // the active cache rarely changes between calls
  let flights = inFlight.get(cache);
  if (!flights) inFlight.set(cache, (flights = new Map()));
  lastCache = cache;
  lastFlights = flights;
  return flights;
}
