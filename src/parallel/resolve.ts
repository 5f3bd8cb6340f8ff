/**
 * A {@link FunctionReference} → the wrapped function it names, in this process: the export of the module
 * at `ref.url` when that file exists here (same machine, or the same path on another), else a wrapped
 * function with the same identity among the exports of modules already imported (a queue worker's
 * `--import` files).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FlecheError } from "../errors.js";
import { internalsOf } from "./internals.js";
import { importTaskModule } from "./importing.js";
import type { FunctionReference } from "./task.js";

const resolved = new Map<string, Function>();

/** Whether `value` is a wrapped function with the identity `ref` names. */
function matches(value: unknown, ref: FunctionReference): value is Function {
  const internals = internalsOf(value);
  return internals !== undefined && internals.name === ref.name && internals.module === ref.module;
}

/**
 * The wrapped function `ref` names. Throws a `FLECHE_REMOTE` error naming the function and where it
 * looked when none is found.
 */
export async function resolveReference(ref: FunctionReference, modules: readonly object[] = []): Promise<Function> {
  const id = JSON.stringify([ref.url, ref.exportName, ref.name, ref.module]);
  const known = resolved.get(id);
  if (known) return known;
  const looked: string[] = [];
  let path: string | undefined;
  try {
    path = ref.url.startsWith("file:") ? fileURLToPath(ref.url) : undefined;
  } catch {
    path = undefined;
  }
  if (path !== undefined && existsSync(path)) {
    const namespace = await importTaskModule(ref.url);
    const value = namespace[ref.exportName];
    if (matches(value, ref)) {
      resolved.set(id, value);
      return value;
    }
    looked.push(
      value === undefined
        ? `${path} has no export ${JSON.stringify(ref.exportName)}`
        : `${path} exports ${JSON.stringify(ref.exportName)}, but not as the wrapped function ${describe(ref)}`,
    );
  } else {
    looked.push(`${ref.url} does not exist here`);
  }
  for (const namespace of modules) {
    for (const value of Object.values(namespace)) {
      if (matches(value, ref)) {
        resolved.set(id, value);
        return value;
      }
    }
  }
  if (modules.length) looked.push(`none of the ${modules.length} imported module(s) exports it`);
  throw new FlecheError(`Cannot find the wrapped function ${describe(ref)}: ${looked.join("; ")}`, "FLECHE_REMOTE");
}

function describe(ref: FunctionReference): string {
  return ref.module === null ? ref.name : `${ref.name} (module ${ref.module})`;
}
