/**
 * What the configuration resolves to and where each part came from (for `fleche config`).
 */
import { currentConfig, isStrict } from "./resolve.js";
import type { ConfigProblem } from "./load.js";

/** One top-level table of the merged configuration. @inline */
export interface DescribedTable {
  readonly name: string;
  readonly file: string;
  readonly value: unknown;
}

/** The resolved configuration, with sources. */
export interface ConfigDescription {
  /** Every file looked for, closest first. */
  readonly searched: readonly string[];
  /** The layers read, closest first. */
  readonly read: readonly string[];
  /** Files that exist but could not be read. */
  readonly failed: readonly ConfigProblem[];
  /** The layer whose `[default] root = true` ended the walk. */
  readonly rootFile: string | undefined;
  /** Which cache is the default, and what decided it. */
  readonly defaultCache: { readonly choice: unknown; readonly source: string };
  /** Whether configuration mistakes throw, and what decided it. */
  readonly strict: { readonly value: boolean; readonly source: string };
  /** The merged tables, each with the file it came from. */
  readonly tables: readonly DescribedTable[];
}

/** Describe the configuration this process sees. */
export function describeConfig(): ConfigDescription {
  const config = currentConfig();
  const defaults = config.tables.get("default");
  const table = (typeof defaults?.value === "object" && defaults.value !== null ? defaults.value : {}) as Record<string, unknown>;
  const env = process.env.FLECHE_CACHE?.trim();
  const defaultChoice =
    env && env !== "default"
      ? { choice: env, source: "environment variable FLECHE_CACHE" }
      : table.cache !== undefined
        ? { choice: table.cache, source: `${defaults!.file} [default] cache` }
        : { choice: "memory", source: config.layers.length ? "no [default] cache configured" : "no config file found" };
  const strictEnv = process.env.FLECHE_STRICT?.trim();
  const strictSource = strictEnv
    ? `environment variable FLECHE_STRICT=${strictEnv}`
    : typeof table.strict === "boolean"
      ? `${defaults!.file} [default] strict`
      : "the default of this program";
  return {
    searched: config.candidates,
    read: config.layers.map((l) => l.file),
    failed: config.failed,
    rootFile: config.rootFile,
    defaultCache: defaultChoice,
    strict: { value: isStrict(), source: strictSource },
    tables: [...config.tables].map(([name, entry]) => ({ name, file: entry.file, value: entry.value })),
  };
}
