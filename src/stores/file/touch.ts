/**
 * The two file operations garbage collection's safety rests on (docs/gc.md): refreshing an entry file's
 * mtime when a value is reused ("touch"), and removing an entry file only if nobody refreshed it since a
 * cutoff, atomically with respect to touches in any process ("conditional eviction").
 *
 * POSIX has no compare-and-unlink, so the eviction moves the file out of the way first and decides
 * afterwards: `rename(entry → tomb)`, then `stat(tomb)`. A touch that landed before the rename shows in
 * the tomb's mtime, and the file is put back; a touch after the rename finds no entry (`ENOENT`) and the
 * toucher writes the value again, or takes it back from the tomb itself. The tomb is a dot-file next to
 * the entry (`.<key>.tomb`), which listings and temporary-file sweeps ignore.
 */
import { existsSync, linkSync, renameSync, statSync } from "node:fs";
import { sep } from "node:path";
import { refreshMtime } from "../../fs/touch.js";
import { removeQuietly } from "../../fs/remove.js";

/** The name an entry file is moved to while a conditional eviction decides (one per entry). */
export function tombOf(path: string): string {
  const slash = path.lastIndexOf(sep);
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.tomb`;
}

/**
 * Set the file's mtime to now. Returns false when there is no such file. With `rescue`, an entry that a
 * conditional eviction holds in its tomb right now (or that a killed gc left there) is taken back first:
 * a caller that cannot write the value again (a commit re-touching its arguments) must not lose it to
 * an eviction that would have kept it.
 * @throws the filesystem's error when the file exists but can be neither touched nor rewritten.
 */
export function touchFile(path: string, rescue: boolean): boolean {
  // A save's touch usually meets a new value: a stat answers "absent" cheaper than a failed utimes,
  // which builds an Error. (Gone between the two: the utimes says so.)
  if (!rescue && !existsSync(path)) return false;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (refreshMtime(path)) return true;
    if (!rescue || !restore(tombOf(path), path)) return false;
    // Taken back (or another process wrote the entry meanwhile): touch what is there now.
  }
  return false;
}

/**
 * Remove the entry file at `path` unless its mtime is after `cutoff` (ms since the epoch). Returns true
 * when it removed it.
 */
export function evictFileIfStale(path: string, cutoff: number): boolean {
  const tomb = tombOf(path);
  try {
    renameSync(path, tomb);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
  let mtime: number;
  try {
    mtime = statSync(tomb).mtimeMs;
  } catch (error) {
    // Taken back by a toucher already (rescue), or removed by a concurrent pass: not ours to decide.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    restore(tomb, path);
    throw error;
  }
  if (mtime > cutoff) {
    restore(tomb, path);
    return false;
  }
  removeQuietly(tomb);
  return true;
}

/**
 * Put the file at `tomb` back at `path`; true when `path` holds an entry afterwards. A link never replaces
 * a file another process wrote at `path` meanwhile (content-addressed, so equal; but possibly split into
 * other parts, whose freshness its writer saw to). Filesystems without hard links get a rename.
 */
function restore(tomb: string, path: string): boolean {
  try {
    linkSync(tomb, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return existsSync(path); // no tomb: restored or removed by another
    if (code !== "EEXIST") {
      try {
        renameSync(tomb, path);
        return true;
      } catch {
        return existsSync(path);
      }
    }
  }
  removeQuietly(tomb);
  return true;
}


