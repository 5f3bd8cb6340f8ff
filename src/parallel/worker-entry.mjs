/**
 * The file the `threads()` pool starts each worker thread with: plain JavaScript, so that it loads
 * whatever runs the process. Worker threads inherit the process's `--import tsx`, but tsx registers its
 * TypeScript loader in worker threads only on recent Node releases (22.22.3, 24.11.1, 25.1 and later):
 * elsewhere a thread could not import TypeScript, neither the worker below in fleche's sources nor the
 * user's modules that define the functions. So when the process runs under tsx and this thread cannot
 * import TypeScript yet, register tsx here first. Then load the worker proper (`worker.ts` in the
 * sources, `worker.js` in the published build) and hand piscina its task function.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => new URL(path, import.meta.url);

async function importsTypeScript() {
  try {
    await import(here("./typescript-probe.mts").href);
    return true;
  } catch {
    return false;
  }
}

if (process.execArgv.some((arg) => arg.includes("tsx")) && !(await importsTypeScript())) {
  const { register } = await import("tsx/esm/api");
  register();
}

const sources = here("./worker.ts");
const worker = await import((existsSync(fileURLToPath(sources)) ? sources : here("./worker.js")).href);

/** The task function piscina calls (see ./worker.ts). */
export default worker.default;
