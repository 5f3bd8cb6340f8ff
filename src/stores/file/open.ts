/** Opening entry files for reading on the hot path, where a miss must be cheap. */
import { openSync } from "node:fs";
import { FlecheError } from "../../errors.js";

/**
 * Open `path` for reading; undefined when it does not exist. A missing file is the common miss, and
 * Node builds a full Error with a stack trace for it (over 10 µs here); the trace is skipped, since the
 * error never leaves this function.
 * @throws FlecheError naming the path when the file exists but cannot be opened.
 */
export function openIfExists(path: string): number | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new FlecheError(`Cannot read ${path}: ${(error as Error).message}`, "FLECHE_IO", { cause: error });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
