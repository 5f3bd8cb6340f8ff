/**
 * `fleche rm KEY...` and `fleche evict [filters]`: remove call records from the command line. Both show
 * what will go (the `ls` table) and ask before removing, unless `--yes`; `--dry-run` shows and removes
 * nothing. Values stay until `fleche gc` (another record may share them). `evict` without any filter
 * would remove every call: it needs `--all` to say so.
 */
import { createInterface } from "node:readline/promises";
import { CacheMiss, ConfigError } from "../../errors.js";
import { openCache, type CacheSelection } from "../open.js";
import { callFilter, isFiltered, type CallFilterOptions } from "../filters.js";
import { callTable, newestFirst } from "./ls.js";
import type { CacheLike } from "../../cache-like.js";
import type { CallRecord } from "../../call-record.js";

/** What `rm` and `evict` share. */
export interface RemovalOptions extends CacheSelection {
  /** Remove without asking. */
  readonly yes?: boolean;
  /** Show what would be removed, remove nothing. */
  readonly dryRun?: boolean;
}

/** Options of `fleche evict`. */
export interface EvictOptions extends RemovalOptions, CallFilterOptions {
  /** Select every call (required when no filter is given). */
  readonly all?: boolean;
}

/** `fleche rm KEY...`: the calls under these keys or unambiguous prefixes. Exit 1 when one is not stored. */
export async function rm(keys: readonly string[], options: RemovalOptions): Promise<number> {
  const cache = openCache(options);
  const records: CallRecord[] = [];
  const missing: string[] = [];
  for (const key of keys) {
    try {
      const call = await cache.load(key);
      if (!records.some((r) => r.key === call.key)) records.push(call.record);
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error;
      missing.push(key);
    }
  }
  for (const key of missing) process.stderr.write(`fleche: no stored call under '${key}'\n`);
  if (records.length === 0) return 1;
  const removed = await remove(cache, records, options);
  return missing.length || !removed ? 1 : 0;
}

/** `fleche evict`: the calls the filters select (as `ls` takes them). */
export async function evict(options: EvictOptions): Promise<number> {
  if (!isFiltered(options) && !options.all) {
    throw new ConfigError("evict: give a filter (--name, --module, --version, --tag, --arg, --after, --before), or --all to remove every call");
  }
  if (isFiltered(options) && options.all) throw new ConfigError("evict: --all does not go with filters (it selects every call)");
  const cache = openCache(options);
  const records: CallRecord[] = [];
  for await (const call of cache.query(callFilter(options))) records.push(call.record);
  if (records.length === 0) {
    process.stdout.write("No stored calls match; nothing to remove.\n");
    return 0;
  }
  return (await remove(cache, newestFirst(records), options)) ? 0 : 1;
}

/** Show, confirm, remove. False when the user declined. */
async function remove(cache: CacheLike, records: readonly CallRecord[], options: RemovalOptions): Promise<boolean> {
  const count = `${records.length} call${records.length === 1 ? "" : "s"}`;
  process.stdout.write(`${await callTable(cache, records)}\n`);
  if (options.dryRun) {
    process.stdout.write(`Would remove ${count} (dry run: nothing removed).\n`);
    return true;
  }
  if (!options.yes && !(await confirm(`Remove ${count}? [y/N] `, count))) {
    process.stdout.write("Nothing removed.\n");
    return false;
  }
  for (const record of records) await cache.evict(record.key);
  process.stdout.write(`Removed ${count}; their values stay until \`fleche gc\` (other calls may share them).\n`);
  return true;
}

/** Ask on the terminal; without one, refuse rather than guess. */
async function confirm(question: string, count: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new ConfigError(`not removing ${count} without confirmation: stdin is not a terminal (pass --yes, or --dry-run to look first)`);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
