/**
 * What the value table and the leases of a SQLite `Sql` store need from its driver (`sqlite.ts`): the
 * current connection's prepared statements, the busy retry, write transactions, and the check that the
 * store may write now (read-only, or its file deleted or replaced). The driver owns all of that because
 * it reopens the database when its file is replaced.
 */
import type BetterSqlite3 from "better-sqlite3";

/** A SQLite driver's plumbing, lent to the tables beside `calls`. */
export interface SqliteAccess {
  /** A prepared statement on the current connection (kept for reuse); `pluck` returns the first column only. */
  statement(sql: string, pluck?: boolean): BetterSqlite3.Statement;
  /** Run `op`, retrying while another process holds the database locked. */
  retry<T>(op: () => T): T;
  /** Run `body` in a `BEGIN IMMEDIATE` transaction, retried while the database is locked. */
  write<T>(body: () => T): T;
  /**
   * Throw unless the store may write now: a SaveError when `save`, else a FlecheError (read-only, or
   * the database file was lost); `what` ends the message ("not saving value …").
   */
  mayWrite(what: string, save: boolean): void;
}
