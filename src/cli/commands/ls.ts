/** `fleche ls`: a table of stored calls, newest first. Reads call records only, never values. */
import { openCache, type CacheSelection } from "../open.js";
import { duration, localTime, preview, shortModule, table } from "../output.js";
import { callFilter, isFiltered, type CallFilterOptions } from "../filters.js";
import { inlineValueOf, type CallRecord } from "../../call-record.js";
import type { CacheCore } from "../../cache-core.js";

/** Options of `fleche ls`. */
export interface LsOptions extends CacheSelection, CallFilterOptions {
  readonly limit?: number;
  readonly json?: boolean;
}

/** Print the calls. */
export async function ls(options: LsOptions): Promise<void> {
  const cache = openCache(options);
  const records: CallRecord[] = [];
  for await (const call of cache.query(callFilter(options))) records.push(call.record);
  newestFirst(records);
  const shown = options.limit === undefined ? records : records.slice(0, options.limit);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return;
  }
  if (shown.length === 0) {
    process.stdout.write(
      options.name !== undefined && !isFiltered({ ...options, name: undefined })
        ? `No stored calls of ${options.name}.\n`
        : isFiltered(options)
          ? "No stored calls match.\n"
          : "No stored calls.\n",
    );
    return;
  }
  process.stdout.write(`${await callTable(cache, shown)}\n`);
  if (shown.length < records.length) process.stdout.write(`(${shown.length} of ${records.length} calls; --limit to see more)\n`);
}

/** The table `ls` prints (also what `rm` and `evict` show before removing): short keys, identity, values, times. */
export async function callTable(cache: CacheCore, records: readonly CallRecord[]): Promise<string> {
  let keys: string[];
  try {
    keys = await cache.shrinkAll(records.map((r) => r.key));
  } catch {
    keys = records.map((r) => r.key.slice(0, 12));
  }
  const out = table(["key", "name", "module", "version", "arguments", "result", "finished", "took"]);
  records.forEach((record, i) => {
    out.push([
      keys[i]!,
      record.name,
      shortModule(record.module),
      record.version === null ? "" : String(record.version),
      Object.entries(record.arguments)
        .map(([name, digest]) => `${name}=${valueOrDigest(record, digest)}`)
        .join(", "),
      record.result === null ? "(pending)" : valueOrDigest(record, record.result),
      localTime(record.metadata.runtime?.timestop),
      duration(record.metadata.runtime?.walltime),
    ]);
  });
  return out.toString();
}

/** Newest first (by when they finished; undated calls last). */
export function newestFirst(records: CallRecord[]): CallRecord[] {
  return records.sort((a, b) => stop(b) - stop(a));
}

/** Small values travel in the record and are shown; others are shown as their digest. */
function valueOrDigest(record: CallRecord, digest: string): string {
  const inline = inlineValueOf(record, digest);
  return inline !== undefined ? preview(inline, 30) : `#${digest.slice(0, 8)}`;
}

function stop(record: CallRecord): number {
  const t = record.metadata.runtime?.timestop;
  return typeof t === "number" ? t : 0;
}
