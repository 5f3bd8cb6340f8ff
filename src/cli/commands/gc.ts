/** `fleche gc`: remove the values no call record refers to. */
import { gc as collect } from "../../caches/operations.js";
import { openCache, type CacheSelection } from "../open.js";
import { progress } from "../progress.js";

/** Options of `fleche gc`. */
export interface GcCommandOptions extends CacheSelection {
  readonly dryRun?: boolean;
  readonly grace?: number;
}

/** Collect and report. */
export async function gc(options: GcCommandOptions): Promise<void> {
  const bar = progress(options.dryRun ? "gc (dry run)" : "gc");
  let report;
  try {
    report = await collect(openCache(options), {
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.grace === undefined ? {} : { grace: options.grace }),
      onProgress: (phase, done, total) => bar.update(done, total, phase === "mark" ? "reading call records" : "checking values"),
    });
  } finally {
    bar.stop();
  }
  const n = report.evicted.length;
  const values = (k: number) => `${k} value${k === 1 ? "" : "s"}`;
  if (options.dryRun) {
    for (const key of report.evicted) process.stdout.write(`${key}\n`);
    process.stdout.write(`Would remove ${values(n)} (dry run; nothing removed).\n`);
  } else {
    process.stdout.write(`Removed ${values(n)}.\n`);
  }
  if (report.expired) {
    process.stdout.write(`${options.dryRun ? "Would remove" : "Removed"} ${report.expired} call record${report.expired === 1 ? "" : "s"} older than the cache's max_age.\n`);
  }
  const inRecords = report.live - report.stored;
  process.stdout.write(
    `${report.records} call record${report.records === 1 ? "" : "s"} refer to ${values(report.live)}: ${report.stored} stored in the value store` +
      `${inRecords ? `, ${inRecords} small enough to travel inside the records (or given as digest-only references)` : ""}. ` +
      `The value store held ${report.entries} entr${report.entries === 1 ? "y" : "ies"}; ${values(report.spared)} spared as recent or in use.\n`,
  );
}
