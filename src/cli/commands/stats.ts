/** `fleche stats`: per function calls, value bytes and runtimes; per store entries and bytes. */
import { cacheStats } from "../../stats/stats.js";
import { openCache, type CacheSelection } from "../open.js";
import { duration, localTime, table } from "../output.js";

/** Options of `fleche stats`. */
export interface StatsOptions extends CacheSelection {
  readonly json?: boolean;
}

/** Print the statistics of the cache. */
export async function stats(options: StatsOptions): Promise<void> {
  const report = await cacheStats(openCache(options));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  if (report.functions.length === 0) lines.push("No stored calls.");
  else {
    const functions = table(["function", "calls", "values", "own bytes", "shared bytes", "oldest", "newest", "total runtime", "median runtime"]);
    for (const f of report.functions) {
      functions.push([
        f.name,
        String(f.calls),
        String(f.values),
        bytes(f.ownBytes),
        bytes(f.sharedBytes),
        localTime(f.oldest ?? undefined),
        localTime(f.newest ?? undefined),
        f.timed ? duration(f.totalRuntime) : "",
        duration(f.medianRuntime ?? undefined),
      ]);
    }
    lines.push(functions.toString());
  }
  const stores = table(["store", "type", "entries", "bytes"]);
  for (const s of report.stores) stores.push([s.role, s.type, String(s.entries), bytes(s.bytes)]);
  lines.push(stores.toString());
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** A byte count readably (binary units); `?` when the store cannot tell. */
export function bytes(n: number | null): string {
  if (n === null) return "?";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
