/**
 * `latest()` and `oldest()`: the call that finished last or first, by `metadata.runtime.timestop`.
 * Stores that can answer this from an index (SQL: `ORDER BY timestop LIMIT 1`) do so through the optional
 * `CallStore.latestCall`; everything else scans. Both paths share the rules here: undated calls lose to
 * dated ones, an empty query and a query of undated calls fail with errors that say which it was.
 */
import { FlecheError } from "../errors.js";
import type { CallRecord } from "../call-record.js";

/** Which end of the time line. */
export type Extreme = "latest" | "oldest";

/** A push-down: the matching record with the greatest or smallest timestop, undefined when none is dated. */
export type ExtremeFinder<T> = (which: Extreme) => Promise<T | undefined>;

/** The runtime stop time of a record, when it has a numeric one. */
export function timestopOf(record: Pick<CallRecord, "metadata">): number | undefined {
  const stop = record.metadata.runtime?.timestop;
  return typeof stop === "number" ? stop : undefined;
}

/**
 * Scan `items` for the one with the greatest (`latest`) or smallest (`oldest`) timestop. Returns
 * `{ best, any }`: `best` is undefined when nothing is dated, `any` says whether there was anything.
 */
export async function scanExtreme<T>(
  items: AsyncIterable<T> | Iterable<T>,
  stopOf: (item: T) => number | undefined,
  which: Extreme,
): Promise<{ best: T | undefined; any: boolean }> {
  let best: T | undefined;
  let bestStop = NaN;
  let any = false;
  for await (const item of items) {
    any = true;
    const stop = stopOf(item);
    if (stop === undefined || Number.isNaN(stop)) continue; // undated calls lose to dated ones
    if (best === undefined || (which === "latest" ? stop > bestStop : stop < bestStop)) {
      best = item;
      bestStop = stop;
    }
  }
  return { best, any };
}

/** The error of a terminal method on a query that matches nothing. */
export function emptyQuery(): FlecheError {
  return new FlecheError("Query is empty", "FLECHE_EMPTY");
}

/** The error of latest()/oldest() when calls match but none records when it finished. */
export function undatedQuery(): FlecheError {
  return new FlecheError(
    "No matching call records runtime.timestop; record calls with the Runtime metadata provider (on by default) to use latest()/oldest()",
    "FLECHE_UNDATED",
  );
}
