/** `fleche transfer --from A --to B`: copy (or move) stored calls between caches. */
import { ConfigError } from "../../errors.js";
import { transferCalls } from "../../query/transfer.js";
import { openCache } from "../open.js";
import { looksLikeSpec } from "../store-spec.js";
import { callFilter, type CallFilterOptions } from "../filters.js";
import { progress } from "../progress.js";

/** Options of `fleche transfer`. */
export interface TransferCommandOptions extends CallFilterOptions {
  readonly from: string;
  readonly to: string;
  readonly pop?: boolean;
  readonly overwrite?: boolean;
  readonly allowDangling?: boolean;
}

/** Transfer and report; returns the exit code (1 when calls were left behind for missing values). */
export async function transfer(options: TransferCommandOptions): Promise<number> {
  if (options.from === options.to) throw new ConfigError(`--from and --to name the same cache '${options.from}'`);
  // A cache name, or a directory or URL holding both roles (a cache that no configuration names).
  const source = openCache(looksLikeSpec(options.from) ? { values: options.from } : options.from);
  const target = openCache(looksLikeSpec(options.to) ? { values: options.to } : options.to);
  const bar = progress(options.pop ? "moving calls" : "copying calls");
  let report;
  try {
    report = await transferCalls(source.query(callFilter(options)), target, {
      ...(options.pop ? { pop: true } : {}),
      ...(options.overwrite ? { overwrite: true } : {}),
      ...(options.allowDangling ? { allowDangling: true } : {}),
      onProgress: (r) => bar.update(r.transferred.length + r.skipped.length + r.dangling.length),
    });
  } finally {
    bar.stop();
  }
  const calls = (k: number) => `${k} call${k === 1 ? "" : "s"}`;
  process.stdout.write(`${options.pop ? "Moved" : "Copied"} ${calls(report.transferred.length)} from ${options.from} to ${options.to}.\n`);
  if (report.skipped.length) {
    process.stdout.write(`Skipped ${calls(report.skipped.length)} that ${options.to} already holds (--overwrite replaces them${options.pop ? "; skipped calls stay in the source" : ""}).\n`);
  }
  if (report.dangling.length) {
    process.stdout.write(
      `Left ${calls(report.dangling.length)} behind whose values are missing in ${options.from} (dangling references; \`fleche verify --cache ${options.from}\` lists them${options.allowDangling ? "; calls without their result are never copied" : ", --allow-dangling copies those that still have their result"}):\n`,
    );
    for (const key of report.dangling) process.stdout.write(`  ${key}\n`);
    return 1;
  }
  return 0;
}
