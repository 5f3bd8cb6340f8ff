/** Runs the Python peers (joblib, diskcache) through Debian's /usr/bin/python3, when they are installed. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./python_peers.py", import.meta.url));
const available = new Map<string, boolean>();

/** True when `/usr/bin/python3` can import `module`. */
export function hasPython(module: "joblib" | "diskcache"): boolean {
  let ok = available.get(module);
  if (ok === undefined) {
    ok = spawnSync(PYTHON, ["-c", `import ${module}${module === "joblib" ? ", numpy" : ""}`], { stdio: "ignore" }).status === 0;
    available.set(module, ok);
  }
  return ok;
}

/** Run one command of python_peers.py (in a new process) and return its JSON answer. */
export function python<T>(...args: string[]): T {
  const run = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`python_peers.py ${args.join(" ")} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}
