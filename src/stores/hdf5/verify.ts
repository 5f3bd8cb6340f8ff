/**
 * The HDF5 store's integrity check: every entry of every file is read back in full (contents against
 * their CRC-32, structure against the layout, shared and cyclic `ref` nodes against the nodes they point
 * to), and every dataset fleche wrote must still carry its checksum: a dataset tagged `fleche_type` without
 * `fleche_crc32` had it removed, and its contents can no longer be checked. With `deep`, each value is also
 * digested again and compared with its key.
 *
 * Leftovers of killed writers (temporary copies older than a minute) and files a writer moved aside as
 * damaged are reported as problems; with `repair` they are removed (and counted in `removed`, not listed),
 * damaged entries are reported and removed (shared files are rewritten without them) and files that
 * cannot be opened are deleted.
 */
import { readdirSync, statSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { digest } from "../../digest/index.js";
import { removeQuietly } from "../../fs/remove.js";
import { entryKeys, firstLine, type EntryFiles, type EntryReader } from "./files/entry-files.js";
import { Attr } from "./codec/format.js";
import { Damaged, NodeReader, type DatasetContents } from "./codec/node-reader.js";
import type { H5Wasm } from "./h5-subset.js";
import type { VerifyOptions, VerifyReport } from "../types.js";

/** Temporary files younger than this may belong to a write in progress in another process. */
const STALE_AFTER_MS = 60_000;

/** What a check of one directory needs to know about its entries. */
export interface VerifyTarget<T> {
  readonly files: EntryFiles;
  readonly read: EntryReader<T>;
  /** Values (digested again with `deep`), or call records (which carry and check their own key). */
  readonly kind: "values" | "calls";
}

/** Check one directory of entry files. */
export async function verifyFiles<T>(h5: H5Wasm, target: VerifyTarget<T>, options: VerifyOptions = {}, done = { count: 0 }): Promise<VerifyReport> {
  const { files, read } = target;
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
          const value = read(new ChecksumRequired(h5, file.file_id), files.layout.entryPath(key));
          if (options.deep && target.kind === "values" && digest(value) !== key) {
            throw new Damaged(`its contents digest to ${digest(value)}, not to its key`);
          }
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
  // Leftovers are problems until repaired; a repair removes them and counts them as removed (as before).
  for (const leftover of leftovers(files.layout.dir)) {
    if (!options.repair) problems.push({ key: leftover.name, problem: leftover.what });
    else if (removeQuietly(join(files.layout.dir, leftover.name))) removed++;
  }
  return { checked, problems, removed };
}

/**
 * A reader for verification: as the store's, and a dataset fleche wrote (tagged `fleche_type`) must carry
 * its `fleche_crc32`: reads tolerate datasets without one (files written by other tools), verification
 * reports fleche's own datasets whose checksum was removed.
 */
class ChecksumRequired extends NodeReader {
  override dataset(path: string): DatasetContents {
    if (this.attribute(path, Attr.crc) === undefined && this.attribute(path, Attr.type) !== undefined) {
      throw new Damaged(`its dataset ${path} has no ${Attr.crc}: its checksum was removed, its contents cannot be checked`);
    }
    return super.dataset(path);
  }
}

/** Stale temporary files and files moved aside as damaged, with what each is. */
function leftovers(dir: string): { name: string; what: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: { name: string; what: string }[] = [];
  const now = Date.now();
  for (const name of names.sort()) {
    if (/\.h5\.damaged-\d+$/.test(name)) {
      found.push({ name, what: "a file a writer moved aside as damaged" });
    } else if (name.startsWith(".") && name.endsWith(".tmp")) {
      let age: number;
      try {
        age = now - statSync(join(dir, name)).mtimeMs;
      } catch {
        continue; // renamed or removed meanwhile
      }
      if (age >= STALE_AFTER_MS) found.push({ name, what: `a temporary file left by a killed writer (${Math.round(age / 60_000)} min old)` });
    }
  }
  return found;
}

