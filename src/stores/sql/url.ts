/**
 * `Sql` URLs → where the database is. SQLite URLs read as in SQLAlchemy and the original fleche:
 * `sqlite:///relative/path` (three slashes: relative to the working directory), `sqlite:////abs/path`
 * (four: absolute), `sqlite:///~/path` (home); also `sqlite://relative/path`, `sqlite:path`, a bare
 * path (`calls.db`, `/abs/calls.db`, `~/x/calls.db`) and `:memory:`. PostgreSQL: `postgres://` and
 * `postgresql://` URLs, used as given. Anything else is a `ConfigError` naming the URL.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { ConfigError } from "../../errors.js";

/** A SQLite database: a file (absolute path) or a private in-memory database. @inline */
export interface SqliteLocation {
  readonly kind: "sqlite";
  /** Absolute file path, or `":memory:"`. */
  readonly path: string;
  /** The canonical URL (`sqlite:///abs/path` or `:memory:`), what `toConfig()` writes. */
  readonly url: string;
}

/** A PostgreSQL database. @inline */
export interface PostgresLocation {
  readonly kind: "postgres";
  /** The connection URL as given (it may hold a password: show `Sql.url`, which drops it, instead). */
  readonly url: string;
}

/** Where an `Sql` store keeps its records. @inline */
export type SqlLocation = SqliteLocation | PostgresLocation;

/** The in-memory SQLite URL. */
export const MEMORY = ":memory:";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCHEME_WITHOUT_SLASHES = /^(sqlite|postgres|postgresql):(?!\/\/)/i;
const MEMORY_FORMS = new Set([MEMORY, "sqlite::memory:", "sqlite://:memory:", "sqlite:///:memory:"]);

/** Parse (and for SQLite, resolve) an `Sql` URL. */
export function parseSqlUrl(url: unknown): SqlLocation {
  if (typeof url !== "string" || url === "") {
    throw new ConfigError(`Sql: \`url\` must be a non-empty string (sqlite:///relative/path, sqlite:////abs/path, a file path, :memory: or postgres://…), got ${JSON.stringify(url)}`);
  }
  if (MEMORY_FORMS.has(url)) return { kind: "sqlite", path: MEMORY, url: MEMORY };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const bare = /^sqlite:(?!\/\/)(.+)$/i.exec(url);
    if (bare) return sqliteFile(bare[1]!, url);
    if (SCHEME_WITHOUT_SLASHES.test(url)) {
      throw new ConfigError(`Sql url '${redactUrl(url)}' is malformed: write sqlite:///relative/path, sqlite:////abs/path or postgres://host/db`);
    }
    return sqliteFile(url, url);
  }
  if (scheme === "sqlite") {
    // SQLAlchemy: the part after "sqlite:///" is the path, so a fourth slash makes it absolute.
    const rest = url.slice("sqlite://".length);
    const path = rest.startsWith("/") ? rest.slice(1) : rest;
    if (path === "") throw new ConfigError(`Sql url '${url}' names no database file`);
    return sqliteFile(path, url);
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
    `Sql url '${redactUrl(url)}' has an unknown scheme '${scheme}': use sqlite:///relative/path, sqlite:////abs/path, a file path, :memory: or postgres://…`,
  );
}

/** A SQLite file; its canonical URL is SQLAlchemy's absolute form, `sqlite:////abs/path`. */
function sqliteFile(path: string, url: string): SqliteLocation {
  if (path.includes("?")) throw new ConfigError(`Sql url '${url}': query parameters are not supported`);
  const absolute = resolve(expandHome(path));
  return { kind: "sqlite", path: absolute, url: `sqlite:///${absolute}` };
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
