/**
 * When a stored call is too old to serve: its age is read from `metadata.runtime.timestop` (when the
 * call finished, in Unix seconds, recorded by the `Runtime` metadata provider, on by default). A record
 * without that time has no age and never expires: with `Runtime` turned off, `maxAge` has nothing to go by.
 */
import type { CallRecord } from "../call-record.js";

/** True when `record` finished more than `maxAge` seconds before `now` (ms since the epoch). */
export function isExpired(record: CallRecord, maxAge: number, now = Date.now()): boolean {
  const stop = record.metadata.runtime?.timestop;
  return typeof stop === "number" && now / 1000 - stop > maxAge;
}
