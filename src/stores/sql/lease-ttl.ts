/** The one check both SQL lease tables make of a lease's duration. */
import { ConfigError } from "../../errors.js";

/** @throws ConfigError unless `ttlMs` is a positive, finite number of milliseconds. */
export function checkTtl(ttlMs: number): void {
  if (typeof ttlMs !== "number" || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ConfigError(`a lease's ttl must be a positive number of milliseconds, got ${String(ttlMs)}`);
  }
}
