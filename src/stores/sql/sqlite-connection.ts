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
import { toRows } from "./rows.js";
import { MEMORY, type SqliteLocation } from "./url.js";
import type { ReadOnlyMode } from "./sqlite-read-only.js";
import type { CallRecord } from "../../call-record.js";

type Database = BetterSqlite3.Database;

const INSERT = `INSERT INTO calls (key, name, module, version, code_digest, result, inline, timestop, result_check, record_check)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`;
const UPDATE = `UPDATE calls SET name = ?, module = ?, version = ?, code_digest = ?, result = ?, inline = ?, timestop = ?,
  result_check = ?, record_check = ? WHERE key = ?`;

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

/** The write transaction: insert each record's rows, or replace an existing record whole. */
function saveTransaction(db: Database, label: string): BetterSqlite3.Transaction<(records: readonly CallRecord[], also?: () => void) => void> {
  const insert = db.prepare(INSERT);
  const update = db.prepare(UPDATE);
  const dropArgs = db.prepare("DELETE FROM arguments WHERE call_key = ?");
  const dropMeta = db.prepare("DELETE FROM metadata WHERE call_key = ?");
  const addArg = db.prepare("INSERT INTO arguments (call_key, position, name, value) VALUES (?, ?, ?, ?)");
  const addMeta = db.prepare("INSERT INTO metadata (call_key, namespace, data) VALUES (?, ?, ?)");
  return db.transaction((records: readonly CallRecord[], also?: () => void) => {
    for (const record of records) {
      assertStorable(record, sqliteText, label);
      const { call, args, meta } = toRows(record, "sqlite");
      const fields = [call.name, call.module, call.version, call.code_digest, call.result, call.inline, call.timestop, call.result_check, call.record_check];
      if (insert.run(call.key, ...fields).changes === 0) {
        // A record under this key exists: replace it whole (its argument and metadata rows too).
        update.run(...fields, call.key);
        dropArgs.run(call.key);
        dropMeta.run(call.key);
      }
      for (const [position, name, value] of args) addArg.run(call.key, position, name, value);
      for (const [ns, data] of meta) addMeta.run(call.key, ns, data);
    }
    also?.();
  });
}
