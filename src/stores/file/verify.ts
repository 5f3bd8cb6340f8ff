/**
 * The integrity check of a file store: every entry's envelope, length and signature (values) or shape,
 * key and signature (records), that split values still have their parts, and temporary files left behind
 * by writers that were killed. With `repair` it removes what it finds unusable; values are never
 * deserialized.
 */
import { unlinkSync } from "node:fs";
import { sep } from "node:path";
import { removeStaleTemps, isTempName } from "../../fs/atomic.js";
import type { VerifyOptions, VerifyReport } from "../types.js";
import { entryKey, listDir, type Layout } from "./layout.js";
import { Corrupt } from "./value-files.js";
import { RecordProblem } from "./records.js";

/** How one entry is checked: throws Corrupt or RecordProblem when it is unusable. */
export interface EntryChecks {
  value(key: string, path: string): Promise<void> | void;
  call(key: string, path: string): Promise<void> | void;
}

/** Check every entry under `layout`'s root. */
export async function verifyFiles(layout: Layout, options: VerifyOptions, check: EntryChecks): Promise<VerifyReport> {
  const entries: { kind: "value" | "call"; key: string; path: string }[] = [];
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
  options.onProgress?.(0, entries.length);
  let pending = entries;
  while (pending.length) {
    const gone = new Set<string>();
    for (const entry of pending) {
      const { kind, key, path } = entry;
      try {
        await check[kind](key, path);
      } catch (error) {
        if (error instanceof Corrupt || error instanceof RecordProblem) {
          problems.push({ key, problem: `${kind === "value" ? "value" : "call record"} ${path}: ${error.message}` });
          if (options.repair && !(error instanceof Corrupt && error.newer) && unlink(path)) {
            removed++;
            gone.add(path);
          }
        } else if ((error as { code?: string }).code !== "FLECHE_MISS") {
          throw error; // removed meanwhile is fine; anything else (unreadable files) is the caller's to see
        }
      }
      if (pending === entries) {
        done++;
        options.onProgress?.(done, entries.length);
      }
      if (++ticks % 256 === 0) await new Promise((resolve) => setImmediate(resolve)); // let other work run
    }
    // Removing a part leaves the values made of it incomplete: check the values that are left again.
    const valuesGone = [...gone].some((path) => !path.endsWith(".json"));
    pending = valuesGone ? pending.filter((e) => e.kind === "value" && !gone.has(e.path)) : [];
  }
  if (options.repair) {
    // Large values are written at the root before their key is known; other temporary files in shards.
    for (const dir of [layout.root, ...shards.map((shard) => `${layout.root}${sep}${shard}`)]) removed += removeStaleTemps(dir);
  }
  return { checked: entries.length, problems, removed };
}

function unlink(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
