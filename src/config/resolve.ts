/**
 * Cache names → caches, read lazily from the configuration (nothing is read at import). The reserved
 * names `"memory"`, `"void"` and `"default"` always work. The default cache is, in order: the one named
 * by the `FLECHE_CACHE` environment variable, the one `[default] cache` names (or describes inline), or
 * an in-memory cache, announced once on stderr. Resolved caches are interned: the same name always
 * yields the same instance.
 *
 * Strictness: a name the code asks for that no configuration defines is always a `ConfigError`. Mistakes
 * *inside* configuration (a misspelt store type or option, a `[default] cache` or `FLECHE_CACHE` naming
 * nothing, an unknown metadata name) are warnings naming the file, table and key, with an in-memory
 * cache standing in, unless strict mode is on (`FLECHE_STRICT=1`, or `[default] strict = true`): then
 * they are thrown.
 */
import { ConfigError } from "../errors.js";
import { logger } from "../log.js";
import { Cache } from "../cache.js";
import { Memory } from "../stores/memory.js";
import { Void } from "../stores/void.js";
import { Runtime } from "../metadata/runtime.js";
import { metadataFromNames } from "../metadata/registry.js";
import { cacheFromConfig } from "./build.js";
import { loadConfig, type ConfigEntry, type ConfigLayer, type LoadedConfig } from "./load.js";
import { processEnvironment } from "./discover.js";
import { rebaseTable } from "./paths.js";
import { didYouMean, keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { CacheConfig, CacheLike } from "../cache-like.js";
import type { MetadataProvider } from "../metadata/provider.js";
import type { FlecheConfig } from "./define.js";

/** The names every program can use without configuration. */
export const RESERVED_NAMES = ["memory", "void", "default"] as const;

/** The keys a `[default]` table may have. */
export const DEFAULT_KEYS = ["cache", "metadata", "strict", "root"] as const;

const interned = new Map<string, CacheLike>();
let loaded: LoadedConfig | undefined;
let codeLayers: ConfigLayer[] = [];
let defaultResolved: CacheLike | undefined;
let metadataResolved: readonly MetadataProvider[] | undefined;
let defaultsChecked = false;

/** A fresh in-memory cache. */
export function memoryCache(): Cache {
  return new Cache({ values: new Memory(), calls: new Memory() });
}

/** The merged configuration (read on first use). A file that cannot be read is an error when strict, else skipped with a warning. */
export function currentConfig(): LoadedConfig {
  if (loaded) return loaded;
  loaded = loadConfig(processEnvironment(), codeLayers);
  try {
    for (const { message } of loaded.failed) {
      lenient(new ConfigError(`Cannot read configuration file ${message}`), "Skipping this file", () => undefined);
    }
  } catch (error) {
    loaded = undefined; // strict: every later use fails the same way, until the file is fixed
    throw error;
  }
  return loaded;
}

/** The cache a name stands for. */
export function resolveCacheName(name: string): CacheLike {
  const known = interned.get(name);
  if (known) return known;
  let cache: CacheLike;
  if (name === "memory") cache = memoryCache();
  else if (name === "void") cache = new Cache({ values: new Void(), calls: new Void() });
  else if (name === "default") cache = defaultCache();
  else {
    const entry = currentConfig().tables.get(name);
    if (!entry) throw unknownName(name, "cache(...)");
    cache = buildSection(name, entry);
  }
  interned.set(name, cache);
  return cache;
}

/** The configured default cache (without configuration: one in-memory cache for the process). */
export function defaultCache(): CacheLike {
  if (!defaultResolved) {
    defaultResolved = chooseDefault();
    interned.set("default", defaultResolved);
  }
  return defaultResolved;
}

/** True when a default cache is configured: by `FLECHE_CACHE`, or `[default] cache` in a file or `configure()`. */
export function hasConfiguredDefault(): boolean {
  const env = process.env.FLECHE_CACHE?.trim();
  if (env && env !== "default") return true;
  const defaults = defaultsEntry();
  return defaults !== undefined && (defaults.value as Record<string, unknown>).cache !== undefined;
}

/** The configured default metadata providers (`[default] metadata`; Runtime when not configured). */
export function defaultMetadata(): readonly MetadataProvider[] {
  if (metadataResolved) return metadataResolved;
  const defaults = defaultsEntry();
  const names = defaults && (defaults.value as Record<string, unknown>).metadata;
  if (names === undefined) return (metadataResolved = [Runtime()]);
  const origin = `${defaults!.file} [default] metadata`;
  try {
    if (!Array.isArray(names)) throw new ConfigError(`${origin}: must be an array of provider names, e.g. ["Runtime"]`);
    metadataResolved = metadataFromNames(names, origin);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    metadataResolved = lenient(error, "Recording Runtime metadata only", () => [Runtime()]);
  }
  return metadataResolved;
}

let strictDefault = false;

/**
 * True when configuration mistakes throw instead of warning: `FLECHE_STRICT` when set, else
 * `[default] strict`, else the program's default (false for the library, true for the `fleche` CLI).
 */
export function isStrict(): boolean {
  const env = process.env.FLECHE_STRICT?.trim();
  if (env) return !/^(0|false|no|off)$/i.test(env);
  const strict = (defaultsEntry()?.value as { strict?: unknown } | undefined)?.strict;
  return typeof strict === "boolean" ? strict : strictDefault;
}

/** Set what {@link isStrict} answers when neither FLECHE_STRICT nor `[default] strict` decides (the CLI says true). */
export function setStrictDefault(strict: boolean): void {
  strictDefault = strict;
}

/** Options of {@link configure}. @inline */
export interface ConfigureOptions {
  /** The directory relative paths in `config` are relative to (default: the working directory). */
  readonly baseDir?: string;
  /** The name warnings and errors give this layer (default: `configure()`). */
  readonly origin?: string;
}

const CONFIGURE_OPTION_KEYS = keysOf<ConfigureOptions>()(["baseDir", "origin"]);

/**
 * Use `config` (as `defineConfig` builds it, e.g. imported from a `fleche.config.mjs`) as the closest
 * configuration layer, above every file. `baseDir` anchors its relative paths (default: as given, i.e.
 * relative to the working directory). Pass `undefined` to remove it. Forgets resolved caches.
 */
export function configure(config: FlecheConfig | undefined, options: ConfigureOptions = {}): void {
  rejectUnknownKeys("configure(config, options)", options, CONFIGURE_OPTION_KEYS);
  codeLayers = [];
  if (config !== undefined) {
    const data = (options.baseDir ? rebaseTable(config, options.baseDir) : config) as Record<string, unknown>;
    codeLayers.push({ file: options.origin ?? "configure()", data });
  }
  forget();
}

/** Forget every resolved cache and the configuration read, so the next lookup starts afresh. */
export function resetConfig(): void {
  codeLayers = [];
  forget();
}

function forget(): void {
  interned.clear();
  loaded = undefined;
  defaultResolved = undefined;
  metadataResolved = undefined;
  defaultsChecked = false;
}

/** Build a configured section; a mistake in it warns (or throws when strict) and leaves a memory cache. */
function buildSection(name: string, entry: ConfigEntry): CacheLike {
  try {
    return cacheFromConfig(entry.value as CacheConfig, `${entry.file} [${name}]`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return lenient(error, `Using an in-memory cache for '${name}' instead`, memoryCache);
  }
}

function chooseDefault(): CacheLike {
  const env = process.env.FLECHE_CACHE?.trim();
  if (env && env !== "default") return select(env, "FLECHE_CACHE");
  const config = currentConfig();
  const defaults = defaultsEntry();
  const choice = defaults && (defaults.value as Record<string, unknown>).cache;
  if (choice === undefined) {
    if (config.layers.length === 0 && config.failed.length > 0) {
      logger().info(`No readable config file (skipped: ${config.failed.map((f) => f.file).join(", ")}). Using default memory cache.`);
    } else if (config.layers.length === 0) logger().info("No config file found. Using default memory cache.");
    else logger().info(`No default cache configured (no \`[default] cache\` in ${config.layers.map((l) => l.file).join(", ")}). Using default memory cache.`);
    return memoryCache();
  }
  const origin = `${defaults!.file} [default] cache`;
  if (typeof choice === "string") return select(choice, origin);
  try {
    if (typeof choice !== "object" || choice === null) throw new ConfigError(`${origin}: must be a cache name or a cache table`);
    return cacheFromConfig(choice as CacheConfig, origin);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return lenient(error, "Using an in-memory default cache instead", memoryCache);
  }
}

/** A cache named by configuration (`[default] cache = "x"`, `FLECHE_CACHE=x`). */
function select(name: string, origin: string): CacheLike {
  if (name === "memory" || name === "void") return resolveCacheName(name);
  if (name !== "default" && currentConfig().tables.has(name)) return resolveCacheName(name);
  return lenient(unknownName(name, origin), "Using an in-memory default cache instead", memoryCache);
}

function unknownName(name: string, origin: string): ConfigError {
  const config = currentConfig();
  const defined = [...config.tables.keys()].filter((n) => n !== "default");
  const files = config.layers.length ? `configuration read: ${config.layers.map((l) => l.file).join(", ")}` : "no configuration file found";
  return new ConfigError(
    `${origin}: unknown cache name '${name}'${didYouMean(name, [...defined, ...RESERVED_NAMES])}; ` +
      `defined: ${defined.join(", ") || "none"}; reserved: ${RESERVED_NAMES.join(", ")} (${files})`,
  );
}

/** The merged `[default]` table, checked once for unknown keys. */
function defaultsEntry(): ConfigEntry | undefined {
  const entry = currentConfig().tables.get("default");
  if (!entry) return undefined;
  const table = entry.value;
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    if (!defaultsChecked) {
      defaultsChecked = true;
      logger().warn(`${entry.file}: \`default\` must be a table ([default]); ignoring it`);
    }
    return undefined;
  }
  if (!defaultsChecked) {
    defaultsChecked = true;
    for (const key of Object.keys(table)) {
      if (!(DEFAULT_KEYS as readonly string[]).includes(key)) {
        const error = new ConfigError(`${entry.file} [default]: unknown key \`${key}\`${didYouMean(key, DEFAULT_KEYS)} (expected one of: ${DEFAULT_KEYS.join(", ")})`);
        lenient(error, "Ignoring it", () => undefined);
      }
    }
    const strict = (table as { strict?: unknown }).strict;
    if (strict !== undefined && typeof strict !== "boolean") logger().warn(`${entry.file} [default]: \`strict\` must be true or false; ignoring it`);
  }
  return entry;
}

/** Throw `error` in strict mode; otherwise warn with what happens instead, and carry on with `fallback`. */
function lenient<T>(error: ConfigError, instead: string, fallback: () => T): T {
  if (isStrict()) throw error;
  logger().warn(`${error.message}. ${instead} (FLECHE_STRICT=1 or \`[default] strict = true\` makes this an error)`);
  return fallback();
}
