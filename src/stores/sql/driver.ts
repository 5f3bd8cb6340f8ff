/**
 * What the `Sql` store asks of a database driver: record-level operations. The SQLite driver answers
 * synchronously (the hot path pays no promise), the PostgreSQL driver asynchronously.
 */
import type { MaybePromise } from "../../maybe.js";
import type { CallRecord } from "../../call-record.js";
import type { RecordTemplate } from "../../query/template.js";
import type { KeyStream, ResultRef, VerifyOptions, VerifyReport } from "../types.js";
import type { Leases } from "../leases.js";
import type { ValueTable } from "./value-table.js";

export interface SqlDriver {
  /** The `value_entries` table (the store's value role). */
  readonly values: ValueTable;
  /** Leases on call keys, when the database can hold them (not a read-only SQLite file). */
  readonly leases: Leases | undefined;
  /**
   * Set by the store: told the bytes of a value row a driver read along with a hit's record (PostgreSQL
   * reads the result's row in the hit's statement), so the value load that follows needs no round trip.
   */
  onValueRead?: ((key: string, bytes: Uint8Array) => void) | undefined;
  /** Store (or replace) one record in one transaction. */
  save(record: CallRecord): MaybePromise<void>;
  /** Store many records in one transaction. */
  saveMany(records: readonly CallRecord[]): MaybePromise<void>;
  /** The record, or undefined (also for an unreadable row, with a warning). */
  load(key: string): MaybePromise<CallRecord | undefined>;
  /** The hot path: result digest and inline values only (undefined on a miss or an unreadable row). */
  loadResult(key: string): MaybePromise<ResultRef | undefined>;
  contains(key: string): MaybePromise<boolean>;
  /** Remove the record (its argument index rows follow, by trigger). */
  evict(key: string): MaybePromise<void>;
  /** Keys in order, page by page (no statement stays open between pages). */
  keys(prefix?: string): KeyStream;
  /** Exactly the records `matchesRecord(template, ·)` accepts. */
  query(template: RecordTemplate): Iterable<CallRecord> | AsyncIterable<CallRecord>;
  /** The matching record with the greatest or smallest timestop, or undefined. */
  extreme(template: RecordTemplate, which: "latest" | "oldest"): MaybePromise<CallRecord | undefined>;
  /** Check every row against its checksums; with `repair`, delete the damaged ones. */
  verify(options: VerifyOptions): Promise<VerifyReport>;
  /** What the database is and how it is set up. */
  info(): MaybePromise<SqlInfo>;
  /** Rows of one read-only statement (`?` placeholders) as arrays: the catalog's queries (`catalog.ts`). */
  select(sql: string, params: readonly unknown[]): MaybePromise<unknown[][]>;
  /**
   * The first column of every row of one read-only statement: long reads of one value per row, without
   * an array per row (on SQLite that array costs more than reading the row).
   */
  selectColumn(sql: string, params: readonly unknown[]): MaybePromise<unknown[]>;
  /** Resolves once the database is reachable and its schema current (rejects with why not). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Records loaded per statement when a query streams its matches. */
export const BATCH = 256;

/** Keys a query reads before all the others, so that stopping early stays cheap on a scanning filter. */
export const FIRST_KEYS = 256;

/** Keys read per statement when listing. */
export const PAGE = 1000;

/** What `Sql.info()` reports. @inline */
export interface SqlInfo {
  readonly kind: "sqlite" | "postgres";
  /** The URL, any password masked. */
  readonly url: string;
  /** The schema version of the database (the one this fleche writes, once opened). */
  readonly schemaVersion: number;
  /** SQLite: `wal`, `delete` (network filesystems) or `memory`. */
  readonly journalMode?: string;
  /** SQLite: `normal` (the store's setting). */
  readonly synchronous?: string;
  /** SQLite: how a database that cannot be written is read (`in place`, or a `snapshot` in memory); absent when writable. */
  readonly readOnly?: "in place" | "snapshot";
  /** PostgreSQL: the server's version. */
  readonly serverVersion?: string;
}
