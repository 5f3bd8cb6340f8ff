/**
 * `Sql` URLs → where the database is. SQLite: `sqlite:///abs/path`, `sqlite://relative/path` (against
 * the working directory), a bare path (`calls.db`, `~/x/calls.db`), or `:memory:`. PostgreSQL:
 * `postgres://` and `postgresql://` URLs, used as given. Anything else is a `ConfigError` naming the URL.
 */
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../../errors.js";

/** A SQLite database: a file (absolute path) or a private in-memory database. */
export interface SqliteLocation {
  readonly kind: "sqlite";
  /** Absolute file path, or `":memory:"`. */
  readonly path: string;
  /** The canonical URL (`sqlite:///abs/path` or `:memory:`), what `toConfig()` writes. */
  readonly url: string;
}

/** A PostgreSQL database. */
export interface PostgresLocation {
  readonly kind: "postgres";
  /** The connection URL as given (it may hold a password: show {@link redactUrl} of it). */
  readonly url: string;
}

/** Where an `Sql` store keeps its records. */
export type SqlLocation = SqliteLocation | PostgresLocation;

/** The in-memory SQLite URL. */
export const MEMORY = ":memory:";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEME_WITHOUT_SLASHES = /^(sqlite|postgres|postgresql):(?!\/\/)/i;
const MEMORY_FORMS = new Set([MEMORY, "sqlite://:memory:", "sqlite:///:memory:"]);

/** Parse (and for SQLite, resolve) an `Sql` URL. */
export function parseSqlUrl(url: unknown): SqlLocation {
  if (typeof url !== "string" || url === "") {
    throw new ConfigError(`Sql: \`url\` must be a non-empty string (sqlite:///abs/path, a file path, :memory: or postgres://…), got ${JSON.stringify(url)}`);
  }
  if (MEMORY_FORMS.has(url)) return { kind: "sqlite", path: MEMORY, url: MEMORY };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (SCHEME_WITHOUT_SLASHES.test(url)) {
      throw new ConfigError(`Sql url '${redactUrl(url)}' is malformed: write sqlite:///abs/path, sqlite://relative/path or postgres://host/db`);
    }
    return sqliteFile(url);
  }
  if (scheme === "sqlite") {
    const path = url.slice("sqlite://".length);
    if (path === "" || path === "/") throw new ConfigError(`Sql url '${url}' names no database file`);
    return sqliteFile(path);
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    try {
      new URL(url);
    } catch {
      throw new ConfigError(`Sql url '${redactUrl(url)}' is not a valid PostgreSQL URL (postgres://user@host:port/database)`);
    }
    return { kind: "postgres", url };
  }
  throw new ConfigError(
    `Sql url '${redactUrl(url)}' has an unknown scheme '${scheme}': use sqlite:///abs/path, sqlite://relative/path, a file path, :memory: or postgres://…`,
  );
}

function sqliteFile(path: string): SqliteLocation {
  const absolute = resolve(expandHome(path));
  return { kind: "sqlite", path: absolute, url: `sqlite://${absolute}` };
}

function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return `${homedir()}${path.slice(1)}`;
  return path;
}

/** A URL safe to show: any password is replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@?#]*:)[^@/?#]*@/, "$1***@");
}

/** The URL without its password (what `toConfig()` writes; give passwords via PGPASSWORD or ~/.pgpass). */
export function stripPassword(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/, "$1@");
}

/**
 * Resolve a relative SQLite path in `url` against `baseDir` (config files resolve their relative paths
 * against their own directory). Absolute paths, `~` paths, `:memory:` and server URLs are returned as is.
 */
export function sqlUrlRelativeTo(url: string, baseDir: string): string {
  if (MEMORY_FORMS.has(url)) return url;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "sqlite") return url;
  const path = scheme === "sqlite" ? url.slice("sqlite://".length) : url;
  if (path === "" || isAbsolute(path) || path === "~" || path.startsWith("~/")) return url;
  return `sqlite://${resolve(baseDir, path)}`;
}
