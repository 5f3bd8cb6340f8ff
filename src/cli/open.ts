/**
 * How CLI commands get their cache and configuration: `--config FILE` adds a file (TOML, JSON, or a
 * JS module exporting `defineConfig(...)`) above the discovered ones, `--import MODULE` loads plugins
 * (e.g. a module that registers a store type) first, `--cache NAME` picks a named cache. The CLI runs in
 * strict mode (a configuration mistake is an error, not a warning), unless FLECHE_STRICT or
 * `[default] strict = false` says otherwise.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.js";
import { RESERVED_NAMES, configure, currentConfig, defaultCache, hasConfiguredDefault, resolveCacheName, setStrictDefault } from "../config/resolve.js";
import { didYouMean } from "../known-keys.js";
import { cacheFromConfig } from "../config/build.js";
import { Cache } from "../cache.js";
import { storeFromConfig } from "../stores/registry.js";
import { isCallStore, isValueStore } from "../stores/types.js";
import { storeFromSpec, templateDirectory } from "./store-spec.js";
import { checkConfigModule, configFileKind } from "./config-module.js";
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

/** How a command names its cache: `--cache NAME`, or stores given directly with `--values`/`--calls`. */
export interface CacheSelection {
  readonly cache?: string;
  readonly values?: string;
  readonly calls?: string;
}

/**
 * The cache a command works on: the stores given by `--values`/`--calls` (one of them alone serves both
 * roles), else the cache `--cache` names, else the configured default. Without any of these and without
 * a configured default, a `ConfigError`: a command must not quietly inspect an empty memory cache.
 */
export function openCache(selection: string | CacheSelection = {}): CacheLike {
  const { cache: name, values, calls } = typeof selection === "string" ? { cache: selection } : selection;
  if (values !== undefined || calls !== undefined) {
    if (name !== undefined) throw new ConfigError("--cache does not go with --values/--calls: name a configured cache, or give its stores");
    const valuesSpec = (values ?? calls)!;
    const callsSpec = (calls ?? values)!;
    const origin = `--values ${valuesSpec} --calls ${callsSpec}`;
    if (valuesSpec !== callsSpec) {
      return cacheFromConfig({ values: storeFromSpec(valuesSpec, "--values"), calls: storeFromSpec(callsSpec, "--calls") }, origin);
    }
    // A directory laid out by persistent(dir) or the `file` template: values/ and calls/ stores inside.
    const split = templateDirectory(valuesSpec);
    if (split) return cacheFromConfig({ template: "file", root: split }, origin);
    // One place for both roles: one store object, so that commands see (and verify) it once.
    const store = storeFromConfig(storeFromSpec(valuesSpec, "--values"), { role: "values", origin });
    if (!isValueStore(store)) throw new ConfigError(`${origin}: a '${store.type}' store holds call records only; give the value store with --values`);
    if (!isCallStore(store)) throw new ConfigError(`${origin}: a '${store.type}' store holds values only; give the call store with --calls`);
    return new Cache({ values: store, calls: store });
  }
  if (name) {
    if (!isKnownName(name)) throw unknownCache(name);
    return resolveCacheName(name);
  }
  if (!hasConfiguredDefault()) throw noConfiguredCache();
  return defaultCache();
}

function isKnownName(name: string): boolean {
  return (RESERVED_NAMES as readonly string[]).includes(name) || (name !== "default" && currentConfig().tables.has(name));
}

/** A name no configuration defines, said the CLI's way. */
function unknownCache(name: string): ConfigError {
  const configured = [...currentConfig().tables.keys()].filter((n) => n !== "default");
  return new ConfigError(
    `unknown cache '${name}'${didYouMean(name, [...configured, ...RESERVED_NAMES])} (configured: ${configured.join(", ") || "none"}; always available: ${RESERVED_NAMES.join(", ")})`,
  );
}

function noConfiguredCache(): ConfigError {
  const { candidates, failed } = currentConfig();
  const walked = candidates.slice(0, -1).map((file) => dirname(file));
  const looked = `fleche.toml from ${walked[0]} up to ${walked[walked.length - 1]}, and ${candidates[candidates.length - 1]}`;
  const skipped = failed.length ? ` (skipped, unreadable: ${failed.map((f) => f.file).join(", ")})` : "";
  return new ConfigError(
    `no cache is configured here: no \`[default] cache\` in any configuration file (looked for ${looked})${skipped}. ` +
      "Name one with --cache NAME, give its stores with --values DIR|URL --calls DIR|URL, or configure one (docs/configuration.md)",
  );
}

async function useConfigFile(path: string): Promise<void> {
  const kind = configFileKind(path);
  if (kind === "module") checkConfigModule(path); // refused before it runs, when it is not a config
  let config: unknown;
  try {
    switch (kind) {
      case "toml":
        configure(readConfigFile(path).data as FlecheConfig, { origin: path });
        return;
      case "json":
        config = JSON.parse(readFileSync(path, "utf8"));
        break;
      case "module": {
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

/** The URL to import a module specifier from: a path (relative to the working directory) or a package name. */
export function moduleUrl(specifier: string): string {
  if (specifier.startsWith(".") || isAbsolute(specifier)) return pathToFileURL(resolve(specifier)).href;
  try {
    return pathToFileURL(createRequire(join(process.cwd(), "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier; // let import() resolve it (or explain why it cannot)
  }
}
