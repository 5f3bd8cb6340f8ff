/**
 * Opening a SQLite database for the `Sql` store: checked before anything is written (not a database, a
 * newer schema, a foreign `calls` table: refused untouched), configured (journal, synchronous, caches,
 * busy timeout), then created or upgraded to the current schema under a write lock. A database that
 * cannot be written (read-only media, no write permission on it or its directory) or that the store is
 * told to only read is opened read-only (`sqlite-read-only.ts`).
 */
import { makeDirectory } from "../../fs/mkdir.js";
import { accessSync, constants, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { ConfigError, FlecheError } from "../../errors.js";
import { logger } from "../../log.js";
import { sqlite } from "./dialect.js";
import { networkFilesystemOf } from "./network-fs.js";
import { backfillSqlite } from "./backfill.js";
import { CHECKS_VERSION, createStatements, foreignSchemaMessage, migrationStatements, newerSchemaMessage, SCHEMA_VERSION } from "./schema.js";
import { MEMORY, type SqliteLocation } from "./url.js";
import { openInPlace, openSnapshot, type ReadOnlyMode } from "./sqlite-read-only.js";

type Database = BetterSqlite3.Database;

/** Page cache per connection (KiB, as SQLite's negative cache_size) and memory-mapped reads (bytes). */
const CACHE_KIB = 32 * 1024;
const MMAP_BYTES = 256 * 1024 * 1024;
/**
 * WAL pages after which the store's own connection checkpoints (SQLite's default is 1000). Checkpoints
 * normally run in the background (`checkpointer.ts`); this is the bound should that fall behind. A
 * save of a small call changes about eight pages (the `calls` row, its indexes, the argument index); a
 * checkpoint copies each page once however often it changed. The WAL file is cut back to `WAL_LIMIT_BYTES` after a checkpoint.
 */
const WAL_CHECKPOINT_PAGES = 20_000;
export const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** How long a write waits for another process's transaction before retrying. */
export const BUSY_TIMEOUT_MS = 20_000;
/** Attempts after a busy timeout before giving up. */
export const BUSY_ATTEMPTS = 3;

const warnedNetwork = new Set<string>();

/** better-sqlite3, loaded on first use (a native addon: nobody who never opens SQLite pays for it). */
function betterSqlite3(label: string): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new ConfigError(
      `${label}: SQLite needs the optional package 'better-sqlite3' (npm install better-sqlite3@12), which is not installed. ` +
        "Caches without SQLite (persistent(dir), FileStore, PostgreSQL) do not need it",
      { cause: error },
    );
  }
}

/**
 * The path of better-sqlite3's native addon where its install puts it, handed to it so that it need not
 * search: without it better-sqlite3 asks the `bindings` package, which probes a dozen paths (about 1 ms
 * of a new process's first hit). Undefined when the file is elsewhere (better-sqlite3 then searches).
 */
let addon: string | null | undefined;
function nativeBinding(): string | undefined {
  if (addon === undefined) {
    try {
      const main = createRequire(import.meta.url).resolve("better-sqlite3"); // <package>/lib/index.js
      const file = join(dirname(dirname(main)), "build", "Release", "better_sqlite3.node");
      addon = existsSync(file) ? file : null;
    } catch {
      addon = null;
    }
  }
  return addon ?? undefined;
}

/** An opened database; `readOnly` says how and why when it cannot be written. */
export interface OpenedSqlite {
  readonly db: Database;
  readonly readOnly?: { readonly mode: ReadOnlyMode; readonly reason: string };
}

/** Open, check and (if needed) create or upgrade the database; nothing is written to a database we refuse. */
export function openSqlite(location: SqliteLocation, label: string, options: { readonly readOnly?: boolean } = {}): OpenedSqlite {
  const memory = location.path === MEMORY;
  if (!memory) {
    const reason = options.readOnly ? "configured read-only" : unwritable(location.path);
    if (reason !== undefined) {
      if (!existsSync(location.path)) {
        throw new ConfigError(`${label}: ${location.path} does not exist, and a read-only store (${reason}) cannot create it`);
      }
      return openReadOnly(location.path, label, reason);
    }
    try {
      makeDirectory(dirname(location.path));
    } catch (error) {
      throw new ConfigError(`${label}: cannot create the directory of ${location.path} (${(error as Error).message})`, { cause: error });
    }
  }
  const Database = betterSqlite3(label);
  let db: Database;
  try {
    const binding = nativeBinding();
    db = new Database(location.path, { timeout: BUSY_TIMEOUT_MS, ...(binding ? { nativeBinding: binding } : {}) });
  } catch (error) {
    throw new ConfigError(`${label}: cannot open ${location.path} (${(error as Error).message})`, { cause: error });
  }
  try {
    const version = schemaVersion(db, label);
    db.pragma("synchronous = NORMAL");
    db.pragma(`cache_size = -${CACHE_KIB}`);
    if (!memory) db.pragma(`mmap_size = ${MMAP_BYTES}`); // reads without a system call per page
    if (!memory) journal(db, location.path, label);
    if (version !== SCHEMA_VERSION) {
      migrate(db, label);
      // An upgrade rewrites every row in one transaction, all of it in the WAL, and SQLite looks every
      // page read up in the WAL's index while the WAL is that long: on a million records, queries were
      // up to a hundred times slower until the store closed. Copy it into the database now and empty it
      // (a no-op outside WAL mode; if another connection is reading, it is retried by the checkpoints
      // that follow).
      if (version > 0 && !memory) db.pragma("wal_checkpoint(TRUNCATE)");
    }
    return { db };
  } catch (error) {
    db.close();
    throw openError(error, location.path, label);
  }
}

/** Why `path` (an existing database, or one to create) cannot be written, or undefined when it can. */
function unwritable(path: string): string | undefined {
  // access() honours read-only mounts (EROFS, also for root) and, for other users, permission bits.
  const denied = (target: string): string | undefined => {
    try {
      accessSync(target, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === "ENOENT" ? undefined : code === "EROFS" ? "on a read-only filesystem" : "not writable";
    }
  };
  if (!existsSync(path)) return undefined; // to be created: errors as they come
  const file = denied(path);
  if (file) return `the file is ${file}`;
  const dir = denied(dirname(path)); // SQLite creates its -wal, -shm and -journal files there
  return dir ? `its directory is ${dir}` : undefined;
}

/**
 * Read-only: in place when SQLite can, else as an in-memory snapshot; an older schema is upgraded in a
 * snapshot, never on disk. Saves are refused by the store.
 */
function openReadOnly(path: string, label: string, reason: string): OpenedSqlite {
  const Database = betterSqlite3(label);
  let db: Database | undefined;
  try {
    db = openInPlace(Database, path, BUSY_TIMEOUT_MS, (d) => void schemaVersion(d, label));
    if (db && schemaVersion(db, label) !== SCHEMA_VERSION) {
      db.close();
      db = undefined;
    }
    if (db) {
      db.pragma(`cache_size = -${CACHE_KIB}`);
      db.pragma(`mmap_size = ${MMAP_BYTES}`);
      logger().debug(`${label}: read-only (${reason}); reading it in place, saves are refused`);
      return { db, readOnly: { mode: "in place", reason } };
    }
    db = openSnapshot(Database, path, label);
    const version = schemaVersion(db, label);
    if (version !== SCHEMA_VERSION) migrate(db, label);
    logger().debug(`${label}: read-only (${reason}); reading a snapshot of it in memory, saves are refused`);
    return { db, readOnly: { mode: "snapshot", reason } };
  } catch (error) {
    db?.close();
    throw openError(error, path, label);
  }
}

function openError(error: unknown, path: string, label: string): Error {
  if (error instanceof FlecheError) return error;
  const code = (error as { code?: string }).code;
  if (code === "SQLITE_NOTADB") return new ConfigError(`${label}: ${path} is not a SQLite database (nothing was changed)`, { cause: error });
  return new ConfigError(`${label}: cannot use ${path} (${(error as Error).message})`, { cause: error });
}

/** The stored schema version; 0 for an empty database. Refuses newer and foreign schemas. */
function schemaVersion(db: Database, label: string): number {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('fleche_schema', 'calls')").pluck().all();
  if (!tables.includes("fleche_schema")) {
    if (tables.includes("calls")) throw new ConfigError(foreignSchemaMessage(label));
    return 0;
  }
  const version = db.prepare("SELECT version FROM fleche_schema WHERE id = 1").pluck().get();
  if (typeof version !== "number") throw new ConfigError(`${label}: the fleche_schema table holds no version (nothing was changed)`);
  if (version > SCHEMA_VERSION) throw new ConfigError(newerSchemaMessage(label, version));
  return version;
}

/** Create or upgrade under a write lock; re-read the version inside it, another process may have won. */
function migrate(db: Database, label: string): void {
  db.transaction(() => {
    const version = schemaVersion(db, label);
    if (version === SCHEMA_VERSION) return;
    const statements = version === 0 ? createStatements(sqlite) : migrationStatements(sqlite, version);
    for (const sql of statements) db.exec(sql);
    if (version > 0 && version < CHECKS_VERSION) backfillSqlite(db);
  }).immediate();
}

/** WAL, or DELETE on a network filesystem (WAL's shared memory does not work across machines). */
function journal(db: Database, path: string, label: string): void {
  const network = networkFilesystemOf(path);
  if (network && !warnedNetwork.has(path)) {
    warnedNetwork.add(path);
    logger().warn(
      `${label}: ${path} is on a network filesystem (${network}); SQLite's WAL journal needs memory shared by every process, so the DELETE journal is used instead (slower under concurrent writers)`,
    );
  }
  const wanted = network ? "delete" : "wal";
  if (!network) {
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
  }
  if (String(db.pragma("journal_mode", { simple: true })).toLowerCase() === wanted) return;
  try {
    db.pragma(`journal_mode = ${wanted.toUpperCase()}`);
  } catch (error) {
    logger().warn(`${label}: cannot switch the journal to ${wanted.toUpperCase()} (${(error as Error).message}); keeping the current one`);
  }
}
