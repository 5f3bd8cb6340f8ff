/**
 * The SQLite driver (better-sqlite3, synchronous). One connection per store; WAL journal (DELETE on
 * network filesystems), `synchronous=NORMAL`, foreign keys on, and a busy timeout so concurrent writers
 * in other processes wait for each other instead of failing. Each save is one `BEGIN IMMEDIATE`
 * transaction; WAL checkpoints run in a worker thread (`checkpointer.ts`). Listings and queries read
 * page by page: SQLite refuses writes on a connection while one of its statements is still being
 * iterated, and callers write between the records they receive. Opening: `sqlite-open.ts`.
 */
import type BetterSqlite3 from "better-sqlite3";
import { FlecheError } from "../../errors.js";
import { logger } from "../../log.js";
import { matchesRecord, type RecordTemplate } from "../../query/template.js";
import { isAscii, successor } from "./conditions.js";
import { sqlite } from "./dialect.js";
import { BATCH, FIRST_KEYS, PAGE, type SqlDriver, type SqlInfo } from "./driver.js";
import { Checkpointer } from "./checkpointer.js";
import { BUSY_ATTEMPTS, BUSY_TIMEOUT_MS, openSqlite, WAL_LIMIT_BYTES } from "./sqlite-open.js";
import { fromRow, resultRefOf, toRows, type StoredRow } from "./rows.js";
import { assertStorable, sqliteText } from "./text.js";
import type { SqliteLocation } from "./url.js";
import { templateCondition } from "./where.js";
import type { CallRecord } from "../../call-record.js";
import type { ResultRef, VerifyOptions, VerifyReport } from "../types.js";
import { rowProblem, VERIFY_PAGE, VerifyTally } from "./verify.js";

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

const INSERT = `INSERT INTO calls (key, name, module, version, code_digest, result, inline, timestop, result_check, record_check)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`;
const UPDATE = `UPDATE calls SET name = ?, module = ?, version = ?, code_digest = ?, result = ?, inline = ?, timestop = ?,
  result_check = ?, record_check = ? WHERE key = ?`;

export class SqliteDriver implements SqlDriver {
  readonly #db: Database;
  readonly #label: string;
  readonly #url: string;
  readonly #statements = new Map<string, Statement>();
  readonly #saveRecords: (records: readonly CallRecord[]) => void;
  readonly #checkpointer: Checkpointer | undefined;

  constructor(location: SqliteLocation, label: string) {
    this.#label = label;
    this.#url = location.url;
    this.#db = openSqlite(location, label);
    const wal = String(this.#db.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
    this.#checkpointer = wal ? new Checkpointer(location.path, WAL_LIMIT_BYTES, label) : undefined;
    const insert = this.#db.prepare(INSERT);
    const update = this.#db.prepare(UPDATE);
    const dropArgs = this.#db.prepare("DELETE FROM arguments WHERE call_key = ?");
    const dropMeta = this.#db.prepare("DELETE FROM metadata WHERE call_key = ?");
    const addArg = this.#db.prepare("INSERT INTO arguments (call_key, position, name, value) VALUES (?, ?, ?, ?)");
    const addMeta = this.#db.prepare("INSERT INTO metadata (call_key, namespace, data) VALUES (?, ?, ?)");
    const transaction = this.#db.transaction((records: readonly CallRecord[]) => {
      for (const record of records) {
        assertStorable(record, sqliteText, label);
        const { call, args, meta } = toRows(record);
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
    });
    this.#saveRecords = (records) => {
      this.#retryBusy(() => transaction.immediate(records));
      this.#checkpointer?.committed();
    };
  }

  save(record: CallRecord): void {
    this.#saveRecords([record]);
  }

  saveMany(records: readonly CallRecord[]): void {
    if (records.length) this.#saveRecords(records);
  }

  load(key: string): CallRecord | undefined {
    const row = this.#retryBusy(() => this.#statement(`SELECT ${sqlite.recordColumns} FROM calls c WHERE c.key = ?`).get(key));
    return row === undefined ? undefined : this.#decode(row as StoredRow);
  }

  loadResult(key: string): ResultRef | undefined {
    const row = this.#retryBusy(() => this.#statement("SELECT result, inline, result_check FROM calls WHERE key = ?", false, true).get(key)) as
      | [unknown, unknown, unknown]
      | undefined;
    return resultRefOf(row, key, this.#label);
  }

  contains(key: string): boolean {
    return this.#retryBusy(() => this.#statement("SELECT 1 FROM calls WHERE key = ?", true).get(key)) !== undefined;
  }

  evict(key: string): void {
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
        const problem = rowProblem(row);
        tally.checked++;
        if (problem === undefined) continue;
        tally.problems.push({ key: row.key, problem });
        if (options.repair) tally.removed += this.#retryBusy(() => remove.run(row.key, row.result_check, row.record_check)).changes;
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
    };
  }

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    await this.#checkpointer?.close();
    if (!this.#db.open) return;
    try {
      this.#db.pragma("optimize");
    } catch {
      // statistics are a nicety; closing matters
    }
    this.#db.close();
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
      return fromRow(row);
    } catch (error) {
      logger().warn(`${this.#label}: call ${row.key} is unreadable (${(error as Error).message}); treating it as a miss`);
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
