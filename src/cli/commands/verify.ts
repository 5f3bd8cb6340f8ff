/**
 * `fleche verify [--repair] [--deep]`: each store's own integrity check (stores without one are listed as
 * such), expired leases (left by processes that died computing a call), then the cache-level check of references: records whose values are missing (see
 * `caches/references.ts`). Without `--repair` nothing is changed and every problem is listed.
 */
import { checkReferences, type ReferenceReport } from "../../caches/references.js";
import { openCache, type CacheSelection } from "../open.js";
import { progress } from "../progress.js";
import { storesOf } from "../stores.js";
import { allLeases, leaseStoresOf } from "../leases.js";

/** Options of `fleche verify`. */
export interface VerifyCommandOptions extends CacheSelection {
  readonly repair?: boolean;
  readonly deep?: boolean;
}

/** Verify every store of the cache and its references; returns the exit code (1 when problems remain). */
export async function verify(options: VerifyCommandOptions): Promise<number> {
  const repair = Boolean(options.repair);
  const cache = openCache(options);
  let remaining = 0;
  const damaged = new Set<string>();
  for (const { store, label } of storesOf(cache)) {
    if (!store.verify) {
      process.stdout.write(`${label}: no integrity check for '${store.type}' stores\n`);
      continue;
    }
    const bar = progress(`verifying ${label}`);
    let report;
    try {
      report = await store.verify({ repair, ...(options.deep ? { deep: true } : {}), onProgress: (done, total) => bar.update(done, total) });
    } finally {
      bar.stop();
    }
    const problems = report.problems.length;
    process.stdout.write(`${label}: ${report.checked} entries checked, ${count(problems, "problem")}${repair ? `, ${report.removed} removed` : ""}\n`);
    for (const { key, problem } of report.problems) {
      process.stdout.write(`  ${key}: ${problem}\n`);
      damaged.add(key);
    }
    if (!repair) remaining += problems;
  }

  remaining += await staleLeases(cache, repair);

  const bar = progress("checking references");
  let references: ReferenceReport[];
  try {
    references = await checkReferences(cache, { repair, unusable: damaged, onProgress: (path, done, total) => bar.update(done, total, path.trim()) });
  } finally {
    bar.stop();
  }
  for (const report of references) remaining += printReferences(report, repair);

  if (remaining) {
    process.stdout.write(
      `Run \`fleche verify --repair\` to repair the ${count(remaining, "problem")}: corrupt entries, leftovers and expired leases are removed, records with dangling references re-linked from another cache of the stack or pool, or removed.\n`,
    );
  }
  return remaining ? 1 : 0;
}

/** Report (and with `repair`, remove) expired leases; returns how many remain. */
async function staleLeases(cache: ReturnType<typeof openCache>, repair: boolean): Promise<number> {
  let remaining = 0;
  for (const { leases, label } of leaseStoresOf(cache)) {
    const expired = (await allLeases(leases)).filter((lease) => lease.expired);
    const removed = repair && expired.length ? await leases.clearExpired() : 0;
    process.stdout.write(`${label} leases: ${count(expired.length, "expired lease")}${repair ? `, ${removed} removed` : ""}\n`);
    for (const lease of expired) {
      process.stdout.write(`  ${lease.key}: lease of pid ${lease.pid} on ${lease.host} since ${new Date(lease.since).toISOString()}, expired ${new Date(lease.expires).toISOString()}\n`);
    }
    if (!repair) remaining += expired.length;
  }
  return remaining;
}

/** Print one cache's references; returns how many problems remain (not repaired). */
function printReferences(report: ReferenceReport, repair: boolean): number {
  const label = `${report.path}references`;
  const calls = report.danglingCalls.length;
  const done = repair && !report.readOnly ? `, ${report.relinked.length} re-linked, ${report.removed.length} removed` : "";
  const readOnly = repair && report.readOnly && calls > 0 ? " (read-only: not repaired)" : "";
  process.stdout.write(`${label}: ${count(report.records, "record")} checked, ${count(calls, "with dangling references", "record")}${done}${readOnly}\n`);
  const fate = new Map<string, string>();
  for (const key of report.relinked) fate.set(key, " (re-linked)");
  for (const key of report.removed) fate.set(key, " (record removed)");
  for (const d of report.dangling) process.stdout.write(`  ${d.call} (${d.name}): ${d.problem}${fate.get(d.call) ?? ""}\n`);
  return repair && !report.readOnly ? calls - report.relinked.length - report.removed.length : calls;
}

/** "1 problem", "2 problems"; with `noun`, "1 record with …". */
function count(n: number, what: string, noun?: string): string {
  if (noun) return `${n} ${noun}${n === 1 ? "" : "s"} ${what}`;
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
