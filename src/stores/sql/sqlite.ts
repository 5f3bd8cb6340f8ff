/**
 * The SQLite driver (better-sqlite3, synchronous). One connection per store; WAL journal (DELETE on
 * network filesystems), `synchronous=NORMAL`, and a busy timeout so concurrent writers
 * in other processes wait for each other instead of failing. Each save is one `BEGIN IMMEDIATE`
 * transaction; WAL checkpoints run in a worker thread (`checkpointer.ts`). Listings and queries read
 * page by page: SQLite refuses writes on a connection while one of its statements is still being
 * iterated, and callers write between the records they receive. Opening: `sqlite-open.ts` (read-only
 * databases: `sqlite-read-only.ts`). The database file is followed: deleted or replaced while in use,
 * it is reopened, or writes are refused when that is unsafe (`sqlite-identity.ts`).
 */
import type BetterSqlite3 from "better-sqlite3";
import { FlecheError, SaveError } from "../../errors.js";
import { logger, warnPerCause } from "../../log.js";
import { matchesRecord, type RecordTemplate } from "../../query/template.js";
import { isAscii, successor } from "./conditions.js";
import { sqlite } from "./dialect.js";
import { BATCH, FIRST_KEYS, PAGE, type SqlDriver, type SqlInfo } from "./driver.js";
import { SqliteConnection } from "./sqlite-connection.js";
import { BUSY_ATTEMPTS, BUSY_TIMEOUT_MS } from "./sqlite-open.js";
import { VerifiedHits } from "./checks.js";
import { fromRow, resultRefOf, type StoredRow } from "./rows.js";
import type { SqliteLocation } from "./url.js";
import { templateCondition } from "./where.js";
import type { CallRecord } from "../../call-record.js";
import type { ResultRef, VerifyOptions, VerifyReport } from "../types.js";
import { rowProblem, VERIFY_PAGE, VerifyTally } from "./verify.js";
import type { SqliteAccess } from "./sqlite-access.js";
import { SqliteValues } from "./sqlite-values.js";
import { SqliteLeases } from "./sqlite-leases.js";

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** How often an idle store checks that its database file is still the one at its path. */
export const WATCH_MS = 1000;

export class SqliteDriver implements SqlDriver {
  #conn: SqliteConnection;
  readonly #location: SqliteLocation;
  readonly #label: string;
  /** Hit texts already verified (see `checks.ts`). */
  readonly #verified = new VerifiedHits();
  readonly #url: string;
  readonly #readOnlyOption: boolean;
  readonly #statements = new Map<string, Statement>();
  readonly #watch: NodeJS.Timeout | undefined;
  /** Set when the database file was deleted or replaced and the store could not safely reopen it. */
  #lost: FlecheError | undefined;
  #closed = false;
  /** What the value table and the leases use of this driver (they live beside `calls`). */
  readonly #access: SqliteAccess = {
    statement: (sql, pluck = false) => this.#statement(sql, pluck),
    retry: (op) => this.#retryBusy(op),
    write: (body) => this.#retryBusy(() => this.#conn.write(body)),
    mayWrite: (what, save) => {
      const refused = this.#refusal(what);
      if (refused) throw save ? new SaveError(refused.message, { cause: refused }) : refused;
    },
  };
  /** The `value_entries` table. */
  readonly values = new SqliteValues(this.#access);
  /** Leases on call keys; none on a read-only database (taking one would write). */
  readonly leases: SqliteLeases | undefined;

  constructor(location: SqliteLocation, label: string, options: { readonly readOnly?: boolean } = {}) {
    this.#label = label;
    this.#url = location.url;
    this.#location = location;
    this.#readOnlyOption = options.readOnly ?? false;
    this.#conn = new SqliteConnection(location, label, options);
    this.leases = this.#conn.readOnly ? undefined : new SqliteLeases(this.#access);
    if (this.#conn.identity) {
      // Reads between checks may come from a file just deleted or replaced: the records in it are
      // still what they were, so a hit is never wrong; writes check first (`#refusal`).
      this.#watch = setInterval(() => this.#follow(), WATCH_MS);
      this.#watch.unref();
    }
  }

  get #db(): Database {
    return this.#conn.db;
  }

  save(record: CallRecord): void {
    this.#saveRecords([record]);
  }

  saveMany(records: readonly CallRecord[]): void {
    if (records.length) this.#saveRecords(records);
  }

  #saveRecords(records: readonly CallRecord[]): void {
    const refused = this.#refusal(`not saving call ${records[0]?.key ?? ""}`);
    if (refused) throw new SaveError(refused.message, { cause: refused });
    // Leases this store granted on these keys go in the same transaction (see `sqlite-leases.ts`).
    const leases = this.leases;
    const held = leases ? leases.heldAmong(records) : [];
    if (held.length === 0) {
      this.#retryBusy(() => this.#conn.save(records));
      return;
    }
    this.#retryBusy(() => this.#conn.save(records, () => leases!.removeWithin(held)));
    leases!.releasedWithRecords(held);
  }

  /** Removals refused as saves are (a `FlecheError` with the same code). */
  #mayRemove(what: string): void {
    const refused = this.#refusal(what);
    if (refused) throw refused;
  }

  /**
   * Why the store cannot write now, or undefined. The database file is checked first (one stat), so no
   * record is ever written to a file that was deleted or replaced.
   */
  #refusal(what: string): FlecheError | undefined {
    this.#follow();
    if (this.#lost) return new FlecheError(`${this.#lost.message}; ${what}`, this.#lost.code);
    const { readOnly } = this.#conn;
    return readOnly ? new FlecheError(`${this.#label}: the database is read-only (${readOnly.reason}); ${what}`, "FLECHE_READ_ONLY") : undefined;
  }

  /**
   * Follow the database file: when the path no longer names the file this store has open, reopen it
   * (creating a new database if it was deleted), unless a `-wal` or `-shm` file of the old one is left
   * there (reopening would mix two databases): then warn once and refuse writes, naming the file.
   */
  #follow(): void {
    const identity = this.#conn.identity;
    if (!identity || this.#lost || this.#closed) return;
    const change = identity.change();
    if (change === undefined) return;
    const left = identity.leftOver();
    if (left !== undefined) {
      this.#lose(
        `${this.#label}: ${identity.path} was ${change} while in use, and ${left} of the old database is still there; reopening would pair it with the new file, so saves are refused until it is resolved (remove ${identity.path}-wal and ${identity.path}-shm, or put the old database back, then restart)`,
      );
      return;
    }
    const old = this.#conn;
    let fresh: SqliteConnection;
    try {
      fresh = new SqliteConnection(this.#location, this.#label, { readOnly: this.#readOnlyOption });
    } catch (error) {
      this.#lose(`${this.#label}: ${identity.path} was ${change} while in use and cannot be reopened (${(error as Error).message}); saves are refused`);
      return;
    }
    this.#conn = fresh;
    this.#statements.clear();
    void old.close().catch(() => undefined); // SQLite neither checkpoints into nor deletes a moved file's companions
    logger().warn(`${this.#label}: ${identity.path} was ${change} while in use; reopened it${change === "deleted" ? " (a new, empty database)" : ""}`);
  }

  #lose(message: string): void {
    this.#lost = new FlecheError(message, "FLECHE_SQLITE_LOST");
    logger().warn(message);
  }

  load(key: string): CallRecord | undefined {
    const row = this.#retryBusy(() => this.#statement(`SELECT ${sqlite.recordColumns} FROM calls c WHERE c.key = ?`).get(key));
    return row === undefined ? undefined : this.#decode(row as StoredRow);
  }

  loadResult(key: string): ResultRef | undefined {
    const row = this.#retryBusy(() => this.#statement("SELECT result, inline, result_check FROM calls WHERE key = ?", false, true).get(key)) as
      | [unknown, unknown, unknown]
      | undefined;
    return resultRefOf(row, key, this.#label, this.#verified);
  }

  contains(key: string): boolean {
    return this.#retryBusy(() => this.#statement("SELECT 1 FROM calls WHERE key = ?", true).get(key)) !== undefined;
  }

  evict(key: string): void {
    this.#mayRemove(`not evicting call ${key}`);
    this.#retryBusy(() => this.#statement("DELETE FROM calls WHERE key = ?").run(key));
  }

  *keys(prefix?: string): Generator<string> {
    const ranged = prefix !== undefined && prefix !== "" && isAscii(prefix);
    const upper = ranged ? " AND key < ?" : "";
    const bound = ranged ? [successor(prefix)] : [];
    let page = this.#retryBusy(() =>
      this.#statement(`SELECT key FROM calls WHERE key >= ?${upper} ORDER BY key LIMIT ${PAGE}`, true).all(prefix ?? "", ...bound),
    ) as string[];
    while (page.length) {
      for (const key of page) if (prefix === undefined || key.startsWith(prefix)) yield key;
      if (page.length < PAGE) return;
      const last = page[page.length - 1]!;
      page = this.#retryBusy(() =>
        this.#statement(`SELECT key FROM calls WHERE key > ?${upper} ORDER BY key LIMIT ${PAGE}`, true).all(last, ...bound),
      ) as string[];
    }
  }

  /**
   * Matching keys first, then their records in batches, each checked exactly. The first keys come from a
   * `LIMIT`ed statement, so `take(n)`, `any()` and `empty()` stop early even when the filter scans.
   */
  *query(template: RecordTemplate): Generator<CallRecord> {
    const where = templateCondition(template, sqlite);
    const select = `SELECT c.key FROM calls c WHERE ${where.sql}`;
    const keys = (sql: string) => this.#retryBusy(() => this.#statement(sql, true).all(...where.params)) as string[];
    const first = keys(`${select} LIMIT ${FIRST_KEYS}`);
    yield* this.#records(template, first);
    if (first.length < FIRST_KEYS) return;
    const seen = new Set(first);
    yield* this.#records(template, keys(select).filter((k) => !seen.has(k)));
  }

  *#records(template: RecordTemplate, keys: readonly string[]): Generator<CallRecord> {
    for (let i = 0; i < keys.length; i += BATCH) {
      for (const record of this.#loadMany(keys.slice(i, i + BATCH))) if (matchesRecord(template, record)) yield record;
    }
  }

  extreme(template: RecordTemplate, which: "latest" | "oldest"): CallRecord | undefined {
    const where = templateCondition(template, sqlite);
    const order = which === "latest" ? "DESC" : "ASC";
    const statement = this.#statement(
      `SELECT c.key FROM calls c WHERE c.timestop IS NOT NULL AND (${where.sql}) ORDER BY c.timestop ${order} LIMIT ? OFFSET ?`,
      true,
    );
    // Exact conditions need one row; a superset is read in pages until a record really matches.
    let size = where.exact ? 1 : 64;
    for (let offset = 0; ; offset += size, size = 64) {
      const keys = this.#retryBusy(() => statement.all(...where.params, size, offset)) as string[];
      for (const key of keys) {
        const record = this.load(key);
        if (record && matchesRecord(template, record)) return record;
      }
      if (keys.length < size) return undefined;
    }
  }

  async verify(options: VerifyOptions): Promise<VerifyReport> {
    const tally = new VerifyTally();
    const total = this.#retryBusy(() => this.#statement("SELECT count(*) FROM calls", true).get()) as number;
    const page = this.#statement(`SELECT ${sqlite.recordColumns} FROM calls c WHERE c.key > ? ORDER BY c.key LIMIT ${VERIFY_PAGE}`);
    const remove = this.#statement("DELETE FROM calls WHERE key = ? AND result_check IS ? AND record_check IS ?");
    for (let last = ""; ; ) {
      const rows = this.#retryBusy(() => page.all(last)) as StoredRow[];
      for (const row of rows) {
        const problem = rowProblem(row, "sqlite");
        tally.checked++;
        if (problem === undefined) continue;
        tally.problems.push({ key: row.key, problem });
        if (options.repair) {
          this.#mayRemove(`not removing call ${row.key}`);
          tally.removed += this.#retryBusy(() => remove.run(row.key, row.result_check, row.record_check)).changes;
        }
      }
      options.onProgress?.(tally.checked, total);
      if (rows.length < VERIFY_PAGE) return tally.report();
      last = rows[rows.length - 1]!.key;
    }
  }

  info(): SqlInfo {
    const synchronous = ["off", "normal", "full", "extra"][Number(this.#db.pragma("synchronous", { simple: true }))] ?? "unknown";
    return {
      kind: "sqlite",
      url: this.#url,
      schemaVersion: this.#db.prepare("SELECT version FROM fleche_schema WHERE id = 1").pluck().get() as number,
      journalMode: String(this.#db.pragma("journal_mode", { simple: true })).toLowerCase(),
      synchronous,
      ...(this.#conn.readOnly ? { readOnly: this.#conn.readOnly.mode } : {}),
    };
  }

  select(sql: string, params: readonly unknown[]): unknown[][] {
    return this.#retryBusy(() => this.#statement(sql, false, true).all(...params)) as unknown[][];
  }

  selectColumn(sql: string, params: readonly unknown[]): unknown[] {
    return this.#retryBusy(() => this.#statement(sql, true).all(...params));
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watch);
    await this.#conn.close();
  }

  #loadMany(keys: readonly string[]): CallRecord[] {
    const rows = this.#retryBusy(() =>
      this.#statement(`SELECT ${sqlite.recordColumns} FROM calls c WHERE c.key IN (SELECT value FROM json_each(?))`).all(JSON.stringify(keys)),
    ) as StoredRow[];
    const records: CallRecord[] = [];
    for (const row of rows) {
      const record = this.#decode(row);
      if (record) records.push(record);
    }
    return records;
  }

  /** A row that does not make a valid record is a miss with a warning (it is overwritten when recomputed). */
  #decode(row: StoredRow): CallRecord | undefined {
    try {
      return fromRow(row, "sqlite");
    } catch (error) {
      // Once per damaged row and reason: a miss reads the row again (the lease re-check), still one warning.
      warnPerCause(`${this.#label}\0${row.key}\0${(error as Error).message}`, `${this.#label}: call ${row.key} is unreadable (${(error as Error).message}); treating it as a miss`);
      return undefined;
    }
  }

  /** Prepared statements by text and mode (first column only, or rows as arrays), kept for reuse. */
  #statement(sql: string, pluck = false, raw = false): Statement {
    const id = `${pluck ? "p" : raw ? "r" : "o"}:${sql}`;
    let statement = this.#statements.get(id);
    if (!statement) {
      if (this.#statements.size > 256) this.#statements.clear(); // many distinct query shapes: start over
      statement = this.#db.prepare(sql);
      if (pluck) statement.pluck();
      else if (raw) statement.raw();
      this.#statements.set(id, statement);
    }
    return statement;
  }

  /**
   * The busy timeout makes SQLite wait for other writers; should a wait still end in SQLITE_BUSY (a
   * writer holding the lock for longer), try again a few times before reporting a clear error.
   */
  #retryBusy<T>(op: () => T): T {
    for (let attempt = 1; ; attempt++) {
      try {
        return op();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (attempt >= BUSY_ATTEMPTS) {
          throw new FlecheError(
            `${this.#label}: the database stayed locked by another process for over ${(BUSY_TIMEOUT_MS * BUSY_ATTEMPTS) / 1000} s`,
            "FLECHE_BUSY",
            { cause: error },
          );
        }
      }
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}
