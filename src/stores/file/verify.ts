/**
 * The integrity check of a file store: every entry (see `verify-entries.ts`), split values whose parts
 * lead back to themselves (a cycle would make every load of them fail), and temporary files left behind
 * by writers that were killed. With `repair` it removes what it finds unusable and the stale temporary
 * files.
 */
import { readdirSync, statSync } from "node:fs";
import { sep } from "node:path";
import { isTempName } from "../../fs/atomic.js";
import { removeQuietly } from "../../fs/remove.js";
import type { VerifyOptions, VerifyReport } from "../types.js";
import { entryKey, listDir, type Layout } from "./layout.js";
import { Corrupt } from "../envelope/decoded.js";
import { RecordProblem } from "./records.js";

/** How one entry is checked: throws Corrupt or RecordProblem when it is unusable. */
export interface EntryChecks {
  /** Check a value file; returns the keys of its parts. */
  value(key: string, path: string, deep: boolean): Promise<readonly string[]>;
  call(key: string, path: string): Promise<void> | void;
}

/** Temporary files younger than this may belong to a write in progress (as in `fs/atomic.ts`). */
const STALE_AFTER_MS = 60_000;

type Entry = { readonly kind: "value" | "call"; readonly key: string; readonly path: string };

/** Check every entry under `layout`'s root. */
export async function verifyFiles(layout: Layout, options: VerifyOptions, check: EntryChecks): Promise<VerifyReport> {
  const entries: Entry[] = [];
  const shards = layout.shards();
  for (const shard of shards) {
    const dir = `${layout.root}${sep}${shard}`;
    for (const name of listDir(dir)) {
      if (isTempName(name)) continue;
      for (const kind of ["value", "call"] as const) {
        const key = entryKey(kind, name);
        if (key !== undefined) entries.push({ kind, key, path: `${dir}${sep}${name}` });
      }
    }
  }
  let ticks = 0;
  const problems: { key: string; problem: string }[] = [];
  let removed = 0;
  let done = 0;
  const deep = options.deep === true;
  const reported = new Set<string>();
  const report = (entry: Entry, error: Corrupt | RecordProblem, gone: Set<string>) => {
    if (reported.has(entry.path)) return; // a cycle found by a deep load is not reported twice
    reported.add(entry.path);
    problems.push({ key: entry.key, problem: `${entry.kind === "value" ? "value" : "call record"} ${entry.path}: ${error.message}` });
    if (options.repair && !(error instanceof Corrupt && error.newer) && removeQuietly(entry.path)) {
      removed++;
      gone.add(entry.path);
    }
  };
  options.onProgress?.(0, entries.length);
  let pending = entries;
  while (pending.length) {
    const gone = new Set<string>();
    const parts = new Map<string, readonly string[]>();
    for (const entry of pending) {
      try {
        if (entry.kind === "value") parts.set(entry.key, await check.value(entry.key, entry.path, deep));
        else await check.call(entry.key, entry.path);
      } catch (error) {
        if (error instanceof Corrupt || error instanceof RecordProblem) report(entry, error, gone);
        else if ((error as { code?: string }).code !== "FLECHE_MISS") throw error; // removed meanwhile is fine; unreadable files are the caller's to see
      }
      if (pending === entries) {
        done++;
        options.onProgress?.(done, entries.length);
      }
      if (++ticks % 256 === 0) await new Promise((resolve) => setImmediate(resolve)); // let other work run
    }
    for (const key of cyclic(parts)) {
      const entry = pending.find((e) => e.kind === "value" && e.key === key)!;
      report(entry, new Corrupt("it contains itself through its parts (a cycle: every load of it would fail)"), gone);
    }
    // Removing a part leaves the values made of it incomplete: check the values that are left again.
    const valuesGone = [...gone].some((path) => !path.endsWith(".json"));
    pending = valuesGone ? pending.filter((e) => e.kind === "value" && !gone.has(e.path)) : [];
  }
  // Large values are written at the root before their key is known; other temporary files in shards.
  for (const dir of [layout.root, ...shards.map((shard) => `${layout.root}${sep}${shard}`)]) {
    for (const { name, path } of staleTemps(dir)) {
      problems.push({ key: name, problem: `temporary file ${path}: left by a writer that was killed (older than a minute)` });
      if (options.repair && removeQuietly(path)) removed++;
    }
  }
  return { checked: entries.length, problems, removed };
}

/**
 * The entries that lie on a cycle of the part graph `parts` (entry → its parts; parts not in the map are
 * leaves or missing). Iterative depth-first search: a crafted chain may be deeper than the stack.
 */
export function cyclic(parts: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: finished
  const onCycle = new Set<string>();
  for (const root of parts.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 1);
    while (path.length) {
      const node = path.at(-1)!;
      const children = parts.get(node) ?? [];
      const i = next[next.length - 1]!;
      if (i >= children.length) {
        state.set(node, 2);
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const child = children[i]!;
      const seen = state.get(child);
      if (seen === 1) {
        for (let k = path.lastIndexOf(child); k < path.length; k++) onCycle.add(path[k]!);
      } else if (seen === undefined && parts.has(child)) {
        state.set(child, 1);
        path.push(child);
        next.push(0);
      }
    }
  }
  return [...onCycle];
}

/** Temporary files in `dir` older than a minute. */
function staleTemps(dir: string): { name: string; path: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const now = Date.now();
  const stale: { name: string; path: string }[] = [];
  for (const name of names) {
    if (!name.startsWith(".") || !name.endsWith(".tmp")) continue;
    const path = `${dir}${sep}${name}`;
    try {
      if (now - statSync(path).mtimeMs >= STALE_AFTER_MS) stale.push({ name, path });
    } catch {
      // already gone (renamed by its writer, or removed by another cleaner)
    }
  }
  return stale;
}

