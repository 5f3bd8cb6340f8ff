/**
 * One open SQLite database of the `Sql` store: the connection, its prepared write transaction, its
 * background checkpointer, whether it is read-only (and how), and the identity of the files it opened.
 * The driver (`sqlite.ts`) replaces it with a fresh one when the database file is deleted or replaced.
 */
import type BetterSqlite3 from "better-sqlite3";
import { Checkpointer } from "./checkpointer.js";
import { FileIdentity } from "./sqlite-identity.js";
import { openSqlite, WAL_LIMIT_BYTES } from "./sqlite-open.js";
import { assertStorable, sqliteText } from "./text.js";
import { toRow } from "./rows.js";
import { MEMORY, type SqliteLocation } from "./url.js";
import type { ReadOnlyMode } from "./sqlite-read-only.js";
import type { CallRecord } from "../../call-record.js";

type Database = BetterSqlite3.Database;

/**
 * One statement per record: a new key inserts its row, an existing one is replaced whole. The argument
 * index follows by triggers (`schema.ts`), which touch it only when the arguments changed.
 */
const UPSERT = `INSERT INTO calls (key, name, module, version, code_digest, result, inline, timestop, walltime, result_check, record_check, arguments, metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET name = excluded.name, module = excluded.module, version = excluded.version,
  code_digest = excluded.code_digest, result = excluded.result, inline = excluded.inline, timestop = excluded.timestop, walltime = excluded.walltime,
  result_check = excluded.result_check, record_check = excluded.record_check, arguments = excluded.arguments, metadata = excluded.metadata`;

export class SqliteConnection {
  readonly db: Database;
  /** Undefined when writable; otherwise how it is read and why it is read-only. */
  readonly readOnly: { readonly mode: ReadOnlyMode; readonly reason: string } | undefined;
  /** The files opened (undefined for an in-memory database, which no one can delete). */
  readonly identity: FileIdentity | undefined;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #label: string;
  /** Prepared at the first save: a process that only reads (the first hit of a new process) never pays for it. */
  #transaction: BetterSqlite3.Transaction<(records: readonly CallRecord[], also?: () => void) => void> | undefined;

  /** @throws ConfigError when the database cannot be opened or used (see `openSqlite`). */
  constructor(location: SqliteLocation, label: string, options: { readonly readOnly?: boolean } = {}) {
    const opened = openSqlite(location, label, options);
    this.db = opened.db;
    this.readOnly = opened.readOnly;
    // A snapshot is a private copy: the path is still watched, so that a new version is read when published.
    this.identity = location.path === MEMORY ? undefined : new FileIdentity(location.path);
    const wal = !this.readOnly && String(this.db.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
    this.#checkpointer = wal ? new Checkpointer(location.path, WAL_LIMIT_BYTES, label) : undefined;
    this.#label = label;
  }

  /**
   * Save records in one `BEGIN IMMEDIATE` transaction (writable connections only); `also` runs inside
   * it, after the records' rows (the leases released with them).
   */
  save(records: readonly CallRecord[], also?: () => void): void {
    (this.#transaction ??= saveTransaction(this.db, this.#label)).immediate(records, also);
    this.#checkpointer?.committed();
  }

  /**
   * Run `body` in one `BEGIN IMMEDIATE` transaction (writable connections only): value rows and leases
   * take the write lock at their start, as saves do.
   */
  write<T>(body: () => T): T {
    const result = this.db.transaction(body).immediate();
    this.#checkpointer?.committed();
    return result;
  }

  async close(): Promise<void> {
    await this.#checkpointer?.close();
    if (!this.db.open) return;
    if (!this.readOnly) {
      try {
        this.db.pragma("optimize");
      } catch {
        // statistics are a nicety; closing matters
      }
    }
    this.db.close();
  }
}

/** The write transaction: each record's row, inserted or replacing the one under its key. */
function saveTransaction(db: Database, label: string): BetterSqlite3.Transaction<(records: readonly CallRecord[], also?: () => void) => void> {
  const upsert = db.prepare(UPSERT);
  return db.transaction((records: readonly CallRecord[], also?: () => void) => {
    for (const record of records) {
      assertStorable(record, sqliteText, label);
      const c = toRow(record, "sqlite");
      upsert.run(c.key, c.name, c.module, c.version, c.code_digest, c.result, c.inline, c.timestop, c.walltime, c.result_check, c.record_check, c.arguments, c.metadata);
    }
    also?.();
  });
}
