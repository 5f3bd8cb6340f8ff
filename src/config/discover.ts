/**
 * Where configuration lives: every `fleche.toml` from the working directory up to the home directory
 * (inclusive; up to the filesystem root when the working directory is not under home), then the user's
 * `$XDG_CONFIG_HOME/fleche/cache.toml` (`~/.config/fleche/cache.toml` when the variable is unset, empty
 * or relative). Closest first.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** What discovery depends on; tests pass their own. */
export interface ConfigEnvironment {
  readonly cwd: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The project file name looked for in every directory of the walk. */
export const PROJECT_FILE = "fleche.toml";

/** The environment of this process. */
export function processEnvironment(): ConfigEnvironment {
  return { cwd: process.cwd(), home: process.env.HOME || homedir(), env: process.env };
}

/** The directories the walk visits, closest first. */
export function walkedDirectories(environment: ConfigEnvironment): string[] {
  const home = resolve(environment.home);
  const dirs: string[] = [];
  let dir = resolve(environment.cwd);
  for (;;) {
    dirs.push(dir);
    if (dir === home) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/** The user-level file (lowest priority). */
export function userConfigFile(environment: ConfigEnvironment): string {
  const xdg = environment.env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(resolve(environment.home), ".config");
  return join(base, "fleche", "cache.toml");
}

/** Every candidate file in priority order, closest first (existing or not). */
export function candidateFiles(environment: ConfigEnvironment): string[] {
  return [...walkedDirectories(environment).map((d) => join(d, PROJECT_FILE)), userConfigFile(environment)];
}

/** The candidate files that exist, closest first. */
export function discoverConfigFiles(environment: ConfigEnvironment = processEnvironment()): string[] {
  return candidateFiles(environment).filter(isFile);
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}
