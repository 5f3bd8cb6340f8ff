/** Byte sizes in config: a number of bytes, or a string such as "500MB", "2 GiB", "10k". */
import { ConfigError } from "../errors.js";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Bytes from a number or a size string; `what` names the setting in errors. */
export function parseBytes(value: unknown, what: string): number {
  if (typeof value === "number" || typeof value === "bigint") {
    const n = Number(value);
    if (Number.isFinite(n) && n >= 1) return Math.floor(n);
  } else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
    if (match && unit !== undefined) {
      const n = Math.floor(Number(match[1]) * unit);
      if (n >= 1) return n;
    }
  }
  throw new ConfigError(`${what} must be a number of bytes ≥ 1 or a size such as "500MB" or "2GiB", got ${JSON.stringify(String(value))}`);
}
