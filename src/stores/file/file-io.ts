/**
 * Small synchronous file operations of the file store's hot path: reading a record through a shared
 * buffer (one open, one read, one close), and removing entries.
 */
import { closeSync, readFileSync, readSync, unlinkSync } from "node:fs";
import { FlecheError } from "../../errors.js";
import { openIfExists } from "./open.js";
import { RecordProblem } from "./records.js";

/** Record files are read into this buffer (they are small); larger ones are read whole. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * The bytes of a small file, or undefined when it does not exist. Reads through a shared buffer: the
 * bytes are valid until the next call, so use them at once.
 */
export function readSmallBytes(path: string): Uint8Array | undefined {
  const fd = openIfExists(path);
  if (fd === undefined) return undefined;
  try {
    const n = readSync(fd, scratch, 0, scratch.length, 0);
    if (n < scratch.length) return scratch.subarray(0, n);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EISDIR") throw new RecordProblem("it is a directory, not a file");
    throw new FlecheError(`Cannot read ${path}: ${(error as Error).message}`, "FLECHE_IO", { cause: error });
  } finally {
    closeSync(fd);
  }
  return readFileSync(path); // larger than the buffer
}

/** Remove an entry file; an absent one is fine. */
export function removeEntry(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw new FlecheError(`Cannot remove ${path}: ${(error as Error).message}`, "FLECHE_IO", { cause: error });
  }
}
