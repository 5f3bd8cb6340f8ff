/** Durations in options and config: a number of seconds, or a string such as "90s", "15m", "12h", "7d". */
import { ConfigError } from "./errors.js";

const UNITS: Readonly<Record<string, number>> = { "": 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds (> 0) from a number or a duration string; `what` names the setting in errors. */
export function parseDuration(value: unknown, what: string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value > 0) return value;
  } else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(value);
    if (match) {
      const seconds = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
      if (seconds > 0) return seconds;
    }
  }
  throw new ConfigError(`${what} must be a number of seconds > 0 or a duration such as "90s", "15m", "12h" or "7d", got ${JSON.stringify(value)}`);
}
