/** `fleche verify [--repair]`: run each store's integrity check (stores without one are listed as such). */
import { openCache } from "../open.js";
import { progress } from "../progress.js";
import { storesOf } from "../stores.js";

/** Options of `fleche verify`. */
export interface VerifyCommandOptions {
  readonly cache?: string;
  readonly repair?: boolean;
}

/** Verify every store of the cache; returns the exit code (1 when problems remain). */
export async function verify(options: VerifyCommandOptions): Promise<number> {
  let remaining = 0;
  for (const { store, label } of storesOf(openCache(options.cache))) {
    if (!store.verify) {
      process.stdout.write(`${label}: no integrity check for '${store.type}' stores\n`);
      continue;
    }
    const bar = progress(`verifying ${label}`);
    let report;
    try {
      report = await store.verify({ repair: Boolean(options.repair), onProgress: (done, total) => bar.update(done, total) });
    } finally {
      bar.stop();
    }
    const problems = report.problems.length;
    process.stdout.write(`${label}: ${report.checked} entries checked, ${problems} problem${problems === 1 ? "" : "s"}${options.repair ? `, ${report.removed} removed` : ""}\n`);
    for (const { key, problem } of report.problems) process.stdout.write(`  ${key}: ${problem}\n`);
    if (!options.repair) remaining += problems;
  }
  if (remaining) process.stdout.write(`Run \`fleche verify --repair\` to remove the ${remaining} corrupt entr${remaining === 1 ? "y" : "ies"}.\n`);
  return remaining ? 1 : 0;
}
