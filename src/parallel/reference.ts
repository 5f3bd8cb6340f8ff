/**
 * A wrapped function → its {@link FunctionReference}: the module that defined it (the file whose code
 * called `fleche()`, read from the stack at wrap time) and the name under which that module exports it.
 * Functions reach other threads and machines this way, as Python pickles functions by reference: the
 * receiving side imports the module and takes the export, so only exported functions can travel.
 */
import { pathToFileURL } from "node:url";
import { FlecheError } from "../errors.js";
import { internalsOf } from "./internals.js";
import type { FunctionReference } from "./task.js";

const found = new WeakMap<Function, FunctionReference>();

/**
 * The reference of `wrapped`. Throws a `FLECHE_REMOTE` error naming the function when it is not a wrapped
 * function, its defining file is unknown, or that module does not export it.
 */
export async function referenceOf(wrapped: Function): Promise<FunctionReference> {
  const known = found.get(wrapped);
  if (known) return known;
  const internals = internalsOf(wrapped);
  const label = wrapped.name || "anonymous";
  if (!internals) throw new FlecheError(`${label} is not a function wrapped by fleche(), so it cannot run in a worker`, "FLECHE_REMOTE");
  const { name, module, file } = internals;
  if (file === undefined) {
    throw new FlecheError(
      `Cannot run ${name} in a worker: the file that defined it is unknown (made by eval or at a prompt?); define it in a module and export it`,
      "FLECHE_REMOTE",
    );
  }
  const url = pathToFileURL(file).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = await importEvaluated(url, () => {
      return new FlecheError(
        `Cannot run ${name} in a worker: its module ${file} has not finished loading, because its own top-level code awaits ` +
          `this map (importing the module waits for the map, the map for the import). Run the map from another module, ` +
          `or from a function that the module does not await while it loads`,
        "FLECHE_REMOTE",
      );
    });
  } catch (error) {
    if (error instanceof FlecheError) throw error;
    throw new FlecheError(`Cannot run ${name} in a worker: its module ${file} cannot be imported (${(error as Error).message})`, "FLECHE_REMOTE", {
      cause: error,
    });
  }
  const exportName = Object.keys(namespace).find((key) => namespace[key] === wrapped);
  if (exportName === undefined) {
    throw new FlecheError(
      `Cannot run ${name} in a worker: ${file} does not export it. Workers find functions by module and export name: ` +
        `export it from that module (\`export const ${name} = fleche(...)\`)`,
      "FLECHE_REMOTE",
    );
  }
  const reference: FunctionReference = { url, exportName, name, module };
  found.set(wrapped, reference);
  return reference;
}

/**
 * Import `url`, whose evaluation may be the very code waiting for this import (a module whose top-level
 * `await` runs a map of its own function): that import never settles, so when the process has nothing
 * else left to do (`beforeExit`) the import is given up with `stuck()`'s error instead of Node's
 * "unsettled top-level await".
 */
function importEvaluated(url: string, stuck: () => Error): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const giveUp = () => reject(stuck());
    process.once("beforeExit", giveUp);
    import(url)
      .then(resolve, reject)
      .finally(() => process.off("beforeExit", giveUp));
  });
}
