/**
 * Relative paths in a config file mean "relative to that file", not to wherever the program happens to
 * run: `root` and `url` values are rebased on the declaring file's directory when the file is read.
 * Absolute paths, `~` paths, in-memory SQLite and server URLs are left alone.
 */
import { isAbsolute, resolve } from "node:path";

/** The option names that hold paths (`root`) or URLs that may hold paths (`url`). */
const PATH_KEYS = new Set(["root", "url"]);

/** A store or template `root`, rebased on `dir` when relative. */
export function rebasePath(path: string, dir: string): string {
  if (path === "" || isAbsolute(path) || path.startsWith("~")) return path;
  return resolve(dir, path);
}

/**
 * A `url`, rebased on `dir` when it names a relative SQLite file:
 * - a bare relative path `cache/calls.db` becomes `sqlite:///<dir>/cache/calls.db`;
 * - `sqlite:///relative.db` becomes `sqlite:///<dir>/relative.db` (so `sqlite:////abs/...` after the
 *   scheme's three slashes, the SQLAlchemy form of an absolute path);
 * - `sqlite://relative.db` becomes `sqlite:///<dir>/relative.db` too;
 * - `sqlite:relative.db` becomes `sqlite:<dir>/relative.db`;
 * - absolute paths, `~`, `:memory:`, and other schemes (`postgres://...`) are untouched.
 */
export function rebaseUrl(url: string, dir: string): string {
  const [target, query] = splitQuery(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target);
  if (!scheme || isAbsolute(target)) {
    if (isAbsolute(target) || target.startsWith("~") || target === "" || target === ":memory:") return url;
    return `sqlite:///${resolve(dir, target)}${query}`; // a bare relative path
  }
  if (scheme[1]!.toLowerCase() !== "sqlite") return url;
  const rest = target.slice(scheme[0].length);
  if (rest.startsWith("///")) {
    const path = rest.slice(3);
    return keepsPath(path) ? url : `sqlite:///${resolve(dir, path)}${query}`;
  }
  if (rest.startsWith("//")) {
    const path = rest.slice(2); // sqlite://relative/path
    return keepsPath(path) ? url : `sqlite:///${resolve(dir, path)}${query}`;
  }
  return keepsPath(rest) ? url : `sqlite:${resolve(dir, rest)}${query}`;
}

function keepsPath(path: string): boolean {
  return path === "" || isAbsolute(path) || path.startsWith("~") || path.startsWith(":memory:") || path.startsWith("file:");
}

function splitQuery(url: string): [string, string] {
  const i = url.indexOf("?");
  return i === -1 ? [url, ""] : [url.slice(0, i), url.slice(i)];
}

/**
 * A copy of a config table with every `root` and `url` string rebased on `dir`, at any depth, except
 * inside `filter` tables (user data, not paths). The input is not changed.
 */
export function rebaseTable(value: unknown, dir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rebaseTable(v, dir));
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "filter") out[key] = v;
    else if (PATH_KEYS.has(key) && typeof v === "string") out[key] = key === "root" ? rebasePath(v, dir) : rebaseUrl(v, dir);
    else out[key] = rebaseTable(v, dir);
  }
  return out;
}
