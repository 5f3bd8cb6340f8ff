/** How queries sort, group and de-duplicate calls: by an argument's value or by a function of the call. */
import { keysOf } from "../known-keys.js";
import type { LazyCall } from "../lazy-call.js";

/** What sorting, grouping and de-duplicating look at: an argument name, or a function of the call. */
export type CallKey = string | ((call: LazyCall) => unknown);

/** Options of `query.sortBy(key, options)`. @inline */
export interface SortOptions {
  /** Largest first. @default false */
  readonly reverse?: boolean;
}

/** Every option of {@link SortOptions}; `sortBy` rejects any other key (`{ revers: true }` must not sort ascending). */
export const SORT_OPTION_KEYS = keysOf<SortOptions>()(["reverse"]);

/** The value `key` picks from `call` (an argument's value is loaded). */
export function keyOf(call: LazyCall, key: CallKey): unknown {
  return typeof key === "string" ? call.argument(key) : key(call);
}

/** A total order over the values sort keys usually have; mixed types order by type name. */
export function compare(a: unknown, b: unknown): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === "number" || ta === "bigint" || ta === "string" || ta === "boolean") return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
  const sa = JSON.stringify(a) ?? "";
  const sb = JSON.stringify(b) ?? "";
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}
