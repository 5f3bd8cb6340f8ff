/**
 * What the `Sql` store's value role asks of a database: the `value_entries` table, row by row. Each
 * driver implements it on its own connection (`sqlite-values.ts` synchronously, `postgres-values.ts`
 * with promises); `values.ts` builds the value store on top (envelopes, parts, touches), the same for
 * both.
 */
import type { MaybePromise } from "../../maybe.js";
import type { KeyStream } from "../types.js";

/**
 * The largest entry (envelope bytes of a value, or of one part of a destructured value) a SQL store
 * holds: 256 MiB. PostgreSQL's `bytea` stops at 1 GB, SQLite's blobs at 1,000,000,000 bytes, and both
 * hold a whole entry in memory on the way in and out (PostgreSQL's protocol buffers it more than once):
 * past this a SaveError is the clear answer, before anything is sent.
 */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

/** One entry as a row: its key, envelope bytes and the keys of its parts. */
export interface EntryRow {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly children: readonly string[];
}

/** The `value_entries` table of one database. Times are milliseconds since the epoch. */
export interface ValueTable {
  /** The bytes of `key`, or undefined when absent. */
  read(key: string): MaybePromise<Uint8Array | undefined>;
  /**
   * Set `touched_at = at` on the rows of `keys` that exist, each in one statement that also reads its
   * children (so a part is read after the entry naming it was touched); the children of each row touched.
   */
  touch(keys: readonly string[], at: number): MaybePromise<ReadonlyMap<string, readonly string[]>>;
  /** Insert the rows, replacing rows with the same keys, in one transaction, `touched_at = at`. */
  write(rows: readonly EntryRow[], at: number): MaybePromise<void>;
  contains(key: string): MaybePromise<boolean>;
  /** The keys of the parts of `key`, read from their column; undefined when absent. */
  children(key: string): MaybePromise<readonly string[] | undefined>;
  /** `touched_at` of `key`, or undefined when absent. */
  writtenAt(key: string): MaybePromise<number | undefined>;
  remove(key: string): MaybePromise<void>;
  /** Remove `key` when `touched_at <= cutoff`, in one statement; whether a row was removed. */
  removeIfStale(key: string, cutoff: number): MaybePromise<boolean>;
  /** Keys in order, page by page; only those starting with `prefix` (lowercase hex, possibly empty). */
  keys(prefix: string): KeyStream;
  count(): MaybePromise<number>;
}

/** The `children` column: the parts' keys separated by spaces, empty for a value kept whole. */
export function childrenColumn(children: readonly string[]): string {
  return children.join(" ");
}

/** The keys a `children` column holds. */
export function parseChildren(column: unknown): readonly string[] {
  return typeof column === "string" && column !== "" ? column.split(" ") : [];
}
