/**
 * How CLI commands get their cache and configuration: `--config FILE` adds a file (TOML, JSON, or a
 * JS module exporting `defineConfig(...)`) above the discovered ones, `--import MODULE` loads plugins
 * (e.g. a module that registers a store type) first, `--cache NAME` picks a named cache. The CLI runs in
 * strict mode (a configuration mistake is an error, not a warning), unless FLECHE_STRICT or
 * `[default] strict = false` says otherwise.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.js";
import { configure, defaultCache, resolveCacheName, setStrictDefault } from "../config/resolve.js";
import { readConfigFile } from "../config/load.js";
import type { CacheLike } from "../cache-like.js";
import type { FlecheConfig } from "../config/define.js";

/** Options every command understands. */
export interface GlobalOptions {
  readonly config?: string;
  readonly import?: readonly string[];
}

/** Load plugins and the extra config file; make configuration mistakes errors. */
export async function prepare(options: GlobalOptions): Promise<void> {
  setStrictDefault(true);
  for (const module of options.import ?? []) await import(moduleUrl(module));
  if (options.config) await useConfigFile(resolve(options.config));
}

/** The cache `name` stands for, or the default cache. */
export function openCache(name?: string): CacheLike {
  return name ? resolveCacheName(name) : defaultCache();
}

async function useConfigFile(path: string): Promise<void> {
  let config: unknown;
  try {
    switch (extname(path)) {
      case ".toml":
        configure(readConfigFile(path).data as FlecheConfig, { origin: path });
        return;
      case ".json":
        config = JSON.parse(readFileSync(path, "utf8"));
        break;
      default: {
        const module = (await import(pathToFileURL(path).href)) as { default?: unknown; config?: unknown };
        config = module.default ?? module.config;
      }
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--config ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof config !== "object" || config === null) throw new ConfigError(`--config ${path}: expected a config object (export default defineConfig({...}))`);
  configure(config as FlecheConfig, { origin: path, baseDir: dirname(path) });
}

/** A plugin specifier: a path (relative to the working directory) or a package name. */
function moduleUrl(specifier: string): string {
  if (specifier.startsWith(".") || isAbsolute(specifier)) return pathToFileURL(resolve(specifier)).href;
  try {
    return pathToFileURL(createRequire(join(process.cwd(), "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier; // let import() resolve it (or explain why it cannot)
  }
}
