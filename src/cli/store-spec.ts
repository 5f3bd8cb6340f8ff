/**
 * `--values SPEC` / `--calls SPEC`: a store named on the command line, for caches that no configuration
 * describes. A SPEC is a URL or a path:
 *
 * | SPEC | store |
 * |---|---|
 * | `sqlite:///path.db`, `postgres://…`, `postgresql://…`, a path ending in `.db`, `.sqlite` or `.sqlite3` | `Sql` |
 * | a directory holding `values/` and `calls/` stores (the layout of `persistent(dir)` and the `file` template), given alone | that cache |
 * | any other path (a directory, existing or not) | `FileStore` rooted there |
 *
 * A store type with more options is better described in `fleche.toml`; these two forms cover what people
 * point the CLI at. Paths are resolved against the working directory.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { homedir } from "node:os";
import { ConfigError } from "../errors.js";
import { MANIFEST_NAME } from "../stores/file/layout.js";
import type { StoreConfig } from "../stores/types.js";

const SQL_SCHEME = /^(sqlite|postgres|postgresql):/i;
const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;
const OTHER_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** The store config a `--values`/`--calls` SPEC stands for; `option` names the flag in errors. */
export function storeFromSpec(spec: string, option: string): StoreConfig {
  if (spec.trim() === "") throw new ConfigError(`${option}: give a directory, a SQLite file or a database URL`);
  if (SQL_SCHEME.test(spec)) return { type: "sql", url: spec };
  const scheme = OTHER_SCHEME.exec(spec)?.[1];
  if (scheme !== undefined) {
    throw new ConfigError(`${option} ${spec}: unknown scheme '${scheme}://' (give a directory, a SQLite file, sqlite:///… or postgres://…; other stores go in fleche.toml)`);
  }
  const path = spec === "~" || spec.startsWith("~/") ? homedir() + spec.slice(1) : resolve(spec);
  if (SQLITE_FILE.test(path)) return { type: "sql", url: path };
  return { type: "file", root: path };
}

/** True when a `--from`/`--to` argument is a store SPEC (a path or URL) rather than a cache name. */
export function looksLikeSpec(argument: string): boolean {
  return /[/\\]/.test(argument) || argument.startsWith(".") || argument.startsWith("~") || SQL_SCHEME.test(argument) || SQLITE_FILE.test(argument);
}

/**
 * The directory `spec` names when it is laid out as `persistent(dir)` and the `file` template lay out a
 * cache (a FileStore under `values/` and one under `calls/`, and no store at the directory itself), else
 * undefined.
 */
export function templateDirectory(spec: string): string | undefined {
  if (SQL_SCHEME.test(spec) || OTHER_SCHEME.test(spec)) return undefined;
  const dir = spec === "~" || spec.startsWith("~/") ? homedir() + spec.slice(1) : resolve(spec);
  const isStore = (path: string) => existsSync(join(path, MANIFEST_NAME));
  return !isStore(dir) && isStore(join(dir, "values")) && isStore(join(dir, "calls")) ? dir : undefined;
}
