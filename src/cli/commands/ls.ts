/** `fleche ls`: a table of stored calls, newest first. Reads call records only, never values. */
import { openCache, type CacheSelection } from "../open.js";
import { duration, localTime, preview, table } from "../output.js";
import { inlineValueOf, type CallRecord } from "../../call-record.js";

/** Options of `fleche ls`. */
export interface LsOptions extends CacheSelection {
  readonly name?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

/** Print the calls. */
export async function ls(options: LsOptions): Promise<void> {
  const cache = openCache(options);
  const records: CallRecord[] = [];
  for await (const record of cache.records(options.name ? { name: options.name } : {})) records.push(record);
  records.sort((a, b) => stop(b) - stop(a));
  const shown = options.limit === undefined ? records : records.slice(0, options.limit);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    return;
  }
  if (shown.length === 0) {
    process.stdout.write(options.name ? `No stored calls of ${options.name}.\n` : "No stored calls.\n");
    return;
  }
  let keys: string[];
  try {
    keys = await cache.shrinkAll(shown.map((r) => r.key));
  } catch {
    keys = shown.map((r) => r.key.slice(0, 12));
  }
  const out = table(["key", "name", "version", "arguments", "result", "finished", "took"]);
  shown.forEach((record, i) => {
    out.push([
      keys[i]!,
      record.name,
      record.version === null ? "" : String(record.version),
      Object.entries(record.arguments)
        .map(([name, digest]) => `${name}=${valueOrDigest(record, digest)}`)
        .join(", "),
      record.result === null ? "(pending)" : valueOrDigest(record, record.result),
      localTime(record.metadata.runtime?.timestop),
      duration(record.metadata.runtime?.walltime),
    ]);
  });
  process.stdout.write(`${out.toString()}\n`);
  if (shown.length < records.length) process.stdout.write(`(${shown.length} of ${records.length} calls; --limit to see more)\n`);
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
