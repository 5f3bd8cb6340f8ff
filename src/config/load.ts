/**
 * Reading and merging configuration files. Files are merged shallowly, closest first: a top-level table
 * (a cache section, or `[default]`) in a closer file replaces the table of the same name in a farther
 * one, and tables only a farther file defines stay available. A file whose `[default]` table says
 * `root = true` ends the walk: farther files and the user file are not read.
 *
 * A file that does not parse is reported (file and line) and skipped; the other layers still apply.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { rebaseTable } from "./paths.js";
import { candidateFiles, discoverConfigFiles, processEnvironment, type ConfigEnvironment } from "./discover.js";

/** One source of configuration: a file, or a config object given in code. */
export interface ConfigLayer {
  /** The file path, or a label such as `configure()` for code. */
  readonly file: string;
  /** Top-level tables by name, paths already rebased. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A file that could not be read, and why. @inline */
export interface ConfigProblem {
  readonly file: string;
  readonly message: string;
}

/** A top-level table of the merged configuration and the layer it came from. */
export interface ConfigEntry {
  readonly value: unknown;
  readonly file: string;
}

/** The merged configuration. */
export interface LoadedConfig {
  /** Every file looked for, closest first. */
  readonly candidates: readonly string[];
  /** The layers that were read, closest first (code layers first of all). */
  readonly layers: readonly ConfigLayer[];
  /** Files that exist but could not be read. */
  readonly failed: readonly ConfigProblem[];
  /** The layer whose `[default] root = true` ended the walk, if any. */
  readonly rootFile: string | undefined;
  /** The merged top-level tables. */
  readonly tables: ReadonlyMap<string, ConfigEntry>;
}

/** The TOML parser, loaded when a config file is first read (a program without one never pays for it). */
let toml: typeof import("smol-toml") | undefined;
function tomlParser(): typeof import("smol-toml") {
  return (toml ??= createRequire(import.meta.url)("smol-toml") as typeof import("smol-toml"));
}

/** Parse one TOML file and rebase its relative paths on its directory. */
export function readConfigFile(path: string): ConfigLayer {
  const text = readFileSync(path, "utf8");
  const data = tomlParser().parse(text) as Record<string, unknown>;
  return { file: path, data: rebaseTable(data, dirname(path)) as Record<string, unknown> };
}

/** Why a file could not be read, with its line when it is a TOML syntax error. */
export function describeReadError(path: string, error: unknown): string {
  if (toml && error instanceof toml.TomlError) {
    const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    return `${path}, line ${error.line} column ${error.column}: ${reason}`;
  }
  return `${path}: ${(error as Error).message}`;
}

/**
 * Discover, read and merge configuration. `codeLayers` (closest first) come before every file; a code
 * layer with `[default] root = true` means no file is read at all.
 */
export function loadConfig(environment: ConfigEnvironment = processEnvironment(), codeLayers: readonly ConfigLayer[] = []): LoadedConfig {
  const layers: ConfigLayer[] = [];
  const failed: ConfigProblem[] = [];
  let rootFile: string | undefined;
  for (const layer of codeLayers) {
    layers.push(layer);
    if (isRoot(layer)) {
      rootFile = layer.file;
      break;
    }
  }
  if (rootFile === undefined) {
    for (const file of discoverConfigFiles(environment)) {
      let layer: ConfigLayer;
      try {
        layer = readConfigFile(file);
      } catch (error) {
        // Reported by the resolver, which knows whether mistakes are errors (strict, the CLI) or warnings.
        failed.push({ file, message: describeReadError(file, error) });
        continue;
      }
      layers.push(layer);
      if (isRoot(layer)) {
        rootFile = file;
        break;
      }
    }
  }
  return { candidates: candidateFiles(environment), layers, failed, rootFile, tables: merge(layers) };
}

/** Shallow merge, closest layer first: the first layer to define a top-level name wins. */
export function merge(layers: readonly ConfigLayer[]): Map<string, ConfigEntry> {
  const tables = new Map<string, ConfigEntry>();
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.data)) if (!tables.has(name)) tables.set(name, { value, file: layer.file });
  }
  return tables;
}

/** `[default] root = true` (only when `[default]` is a table; `root = false` changes nothing). */
function isRoot(layer: ConfigLayer): boolean {
  const defaults = layer.data.default;
  return typeof defaults === "object" && defaults !== null && !Array.isArray(defaults) && (defaults as { root?: unknown }).root === true;
}
