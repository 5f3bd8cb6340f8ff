/**
 * A task's function reference, made good in this process: when the submitting machine's module file does
 * not exist here, the reference is pointed at the `--import` module that exports a wrapped function of
 * the same identity, so that a worker thread (which imports by URL, and has not imported the worker's
 * `--import` modules) finds it too.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { internalsOf } from "../internals.js";
import type { FunctionReference } from "../task.js";

/** A module a worker imported: its URL and its namespace. */
export interface ImportedModule {
  readonly url: string;
  readonly namespace: object;
}

/**
 * `ref` when its file exists here; else the same function's reference in one of `modules`; else `ref`
 * unchanged (running it then fails with the error that says where it was looked for).
 */
export function localReference(ref: FunctionReference, modules: readonly ImportedModule[]): FunctionReference {
  if (existsHere(ref.url)) return ref;
  for (const { url, namespace } of modules) {
    for (const [exportName, value] of Object.entries(namespace)) {
      const internals = internalsOf(value);
      if (internals && internals.name === ref.name && internals.module === ref.module) return { ...ref, url, exportName };
    }
  }
  return ref;
}

function existsHere(url: string): boolean {
  try {
    return url.startsWith("file:") && existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}
