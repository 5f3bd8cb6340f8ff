/**
 * The HDF5 store's integrity check: every entry of every file is read back in full (contents against
 * their checksums, structure against the layout). With `repair`, damaged entries are removed (shared
 * files are rewritten without them), files that cannot be opened are deleted, and what killed writers
 * left behind (temporary copies, files moved aside as damaged) is cleaned up.
 */
import { readdirSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { removeStaleTemps } from "../../fs/atomic.js";
import { entryKeys, firstLine, type EntryFiles, type EntryReader } from "./entry-files.js";
import { NodeReader } from "./node-reader.js";
import type { H5Wasm } from "./h5-subset.js";
import type { VerifyOptions, VerifyReport } from "../types.js";

/** Check one directory of entry files. */
export async function verifyFiles<T>(h5: H5Wasm, files: EntryFiles, read: EntryReader<T>, options: VerifyOptions = {}, done = { count: 0 }): Promise<VerifyReport> {
  const problems: { key: string; problem: string }[] = [];
  let checked = 0;
  let removed = 0;
  for (const path of files.layout.files()) {
    let file;
    try {
      file = new h5.File(path, "r");
    } catch (error) {
      problems.push({ key: basename(path), problem: `the file cannot be opened: ${firstLine(error)}` });
      if (options.repair) {
        unlinkSync(path);
        removed++;
      }
      continue;
    }
    const bad: string[] = [];
    try {
      for (const key of entryKeys(h5, file.file_id)) {
        checked++;
        try {
          read(new NodeReader(h5, file.file_id), files.layout.entryPath(key));
        } catch (error) {
          problems.push({ key, problem: firstLine(error) });
          bad.push(key);
        }
        options.onProgress?.(++done.count);
      }
    } finally {
      file.close();
    }
    if (options.repair && bad.length > 0) {
      if (files.layout.prefixLength === 0) unlinkSync(path);
      else await files.rewriteWithout(h5, path, bad);
      removed += bad.length;
    }
  }
  if (options.repair) removed += removeLeftovers(files.layout.dir);
  return { checked, problems, removed };
}

/** Remove stale temporary files and files a writer moved aside as damaged. */
function removeLeftovers(dir: string): number {
  let removed = removeStaleTemps(dir);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!/\.h5\.damaged-\d+$/.test(name)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // removed by someone else
    }
  }
  return removed;
}
