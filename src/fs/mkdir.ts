/**
 * Create a directory and its missing parents, giving up with a clear error instead of spinning. Node's
 * own `mkdirSync(path, { recursive: true })` loops forever where the system answers "no such file" for a
 * directory whose parent exists (in `/proc`, for instance: `sqlite:////proc/x/calls.db`). Here each
 * missing component is created once, parents first, and a component that cannot be created stops the
 * walk with the system's reason.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** The directory could not be created; `path` is the component that failed. */
export class DirectoryError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot create the directory ${path} (${reason})`, options);
  }
}

/** Make sure `dir` exists as a directory, creating missing parents. @throws DirectoryError naming the component that failed. */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    if (isDirectory(at)) break;
    missing.push(at);
    if (dirname(at) === at) break; // the root itself is missing: the first mkdir below says why
  }
  for (const component of missing.reverse()) {
    try {
      mkdirSync(component);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" && isDirectory(component)) continue; // another process made it meanwhile
      const reason = code === "EEXIST" ? "a file of that name is in the way" : (error as Error).message;
      throw new DirectoryError(component, reason, { cause: error });
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
