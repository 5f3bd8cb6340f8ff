/**
 * Refreshing a file's modification time, the "written at" that garbage collection's grace period reads
 * (docs/gc.md). Shared by the file-based stores.
 */
import { copyFileSync, renameSync, unlinkSync, utimesSync } from "node:fs";
import { tempPathFor } from "./atomic.js";

/**
 * Set the mtime of the file at `path` to now. Returns false when there is no such file.
 *
 * Only a file's owner may set its times to a given value, so a file another user wrote (a shared team
 * cache) is refreshed by copying it and renaming the copy over it instead: same bytes, a fresh mtime.
 * @throws the filesystem's error when the file exists but can be neither touched nor rewritten.
 */
export function refreshMtime(path: string): boolean {
  const now = Date.now() / 1000;
  // A missing file is the common case of a save (a new value), and Node builds a full Error with a
  // stack trace for it (over 10 µs); the trace is skipped, as in `openIfExists`.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    utimesSync(path, now, now);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    if (code !== "EPERM" && code !== "EACCES") throw error;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const temp = tempPathFor(path);
  try {
    copyFileSync(path, temp);
    renameSync(temp, path);
    return true;
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // not created
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
