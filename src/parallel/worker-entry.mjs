/**
 * The file the `threads()` pool starts each worker thread with: plain JavaScript, so that it loads
 * whatever runs the process. Worker threads inherit the process's `--import tsx`, but tsx registers its
 * TypeScript loader in worker threads only on recent Node releases (22.22.3, 24.11.1, 25.1 and later):
 * elsewhere a thread could not import TypeScript, neither the worker below in fleche's sources nor the
 * user's modules that define the functions. So when the process runs under tsx and this thread cannot
 * import TypeScript yet, register tsx here first (the same tsx: found from the loader the process was
 * given, else from the working directory, else from fleche's own dependencies). Then load the worker
 * proper (`worker.ts` in the sources, `worker.js` in the published build) and hand piscina its task
 * function.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = (path) => new URL(path, import.meta.url);

async function importsTypeScript() {
  try {
    await import(here("./typescript-probe.mts").href);
    return true;
  } catch {
    return false;
  }
}

/** Where tsx's registration API may be, most specific first. */
function tsxApiCandidates(loaderArg) {
  const candidates = [];
  // `tsx script.ts` passes its loader by URL (…/tsx/dist/loader.mjs): the API sits beside it.
  if (/^file:|^\//.test(loaderArg)) {
    const loader = loaderArg.startsWith("file:") ? new URL(loaderArg) : pathToFileURL(loaderArg);
    candidates.push(new URL("./esm/api/index.mjs", loader).href);
  }
  try {
    candidates.push(pathToFileURL(createRequire(join(process.cwd(), "noop.js")).resolve("tsx/esm/api")).href);
  } catch {
    // not installed in the working directory's project
  }
  candidates.push("tsx/esm/api");
  return candidates;
}

// The value of `--import tsx`, `--import=tsx` or `--import file:///…/tsx/dist/loader.mjs` (not tsx's `--require`d preflight).
const loaderArg = process.execArgv
  .map((arg) => arg.replace(/^--(import|loader|experimental-loader)=/, ""))
  .find((arg) => arg.includes("tsx") && !arg.startsWith("-") && !arg.endsWith(".cjs"));
if (loaderArg !== undefined && !(await importsTypeScript())) {
  let failure;
  for (const candidate of tsxApiCandidates(loaderArg)) {
    try {
      const { register } = await import(candidate);
      register();
      failure = undefined;
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (failure) throw new Error(`fleche worker thread: cannot register tsx, which the process runs under (${failure.message})`, { cause: failure });
}

const sources = here("./worker.ts");
const worker = await import((existsSync(fileURLToPath(sources)) ? sources : here("./worker.js")).href);

/** The task function piscina calls (see ./worker.ts). */
export default worker.default;
