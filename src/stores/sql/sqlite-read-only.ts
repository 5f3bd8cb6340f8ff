/**
 * Opening a SQLite database that cannot (or must not) be written: on read-only media, a file or directory
 * without write permission, or an `Sql` store configured `readOnly`.
 *
 * SQLite reads a WAL database through its `-shm` file (the shared WAL index). In place, a read-only
 * connection works when that file exists (another process has the database open) or can be created, and
 * it then sees what writers commit. When neither holds (a cleanly closed WAL database on read-only media:
 * no `-shm`, and no directory to create one in) SQLite cannot open it at all (`SQLITE_CANTOPEN`), and the
 * `immutable=1` URI parameter that would allow it is compiled out of better-sqlite3 (`SQLITE_USE_URI=0`).
 * Then the store reads the database file into memory and serves that snapshot. The snapshot is of the
 * database file only: pages still in a `-wal` file (a database copied while a writer had it open) are
 * not in it, which is warned about. A database with an older schema is upgraded in the snapshot, never
 * on disk.
 */
import { readFileSync, statSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import { ConfigError } from "../../errors.js";
import { logger } from "../../log.js";

type Database = BetterSqlite3.Database;

/** How a read-only database is being read. */
export type ReadOnlyMode = "in place" | "snapshot";

/** Bytes 18 and 19 of a SQLite file: the write and read format versions (2 = WAL, 1 = rollback journal). */
const FORMAT_OFFSETS = [18, 19] as const;

/**
 * Open `path` read-only in place, checking that it can really be read (`probe` runs a first query).
 * Returns undefined when SQLite cannot open it in place (no `-shm` and no way to create one).
 */
export function openInPlace(Database: typeof BetterSqlite3, path: string, timeout: number, probe: (db: Database) => void): Database | undefined {
  let db: Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout });
    probe(db);
    return db;
  } catch (error) {
    db?.close();
    // No WAL index and no way to create one: SQLITE_CANTOPEN on read-only media, a SQLITE_READONLY_*
    // code (CANTINIT and kin) when only permissions forbid it.
    const code = String((error as { code?: unknown }).code);
    if (code === "SQLITE_CANTOPEN" || code.startsWith("SQLITE_READONLY")) return undefined;
    throw error;
  }
}

/**
 * The database file as a private in-memory database (writable, for an in-memory schema upgrade; saves
 * are refused by the store). The copy is marked as a rollback-journal database: an in-memory database
 * has no WAL, and SQLite refuses to deserialize one whose header says WAL.
 */
export function openSnapshot(Database: typeof BetterSqlite3, path: string, label: string): Database {
  const bytes = readFileSync(path);
  for (const offset of FORMAT_OFFSETS) if (bytes.length > offset && bytes[offset] === 2) bytes[offset] = 1;
  const wal = walBytes(path);
  if (wal > 0) {
    logger().warn(
      `${label}: ${path} is read-only and its WAL index (${path}-shm) is missing, so it is read as a snapshot of the database file; the ${wal} bytes of ${path}-wal (records not yet checkpointed into the file) are not part of it. Publish read-only databases after closing every writer (which checkpoints them).`,
    );
  }
  try {
    return new Database(bytes);
  } catch (error) {
    throw new ConfigError(`${label}: cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
}

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
