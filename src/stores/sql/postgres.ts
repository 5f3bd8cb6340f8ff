/**
 * The PostgreSQL driver (`pg`, imported on first use). A connection pool per store; a record is one
 * `calls` row, upserted by one statement (a save of several is one transaction), so concurrent writers
 * of one key (on any machine) queue on that row and the last one wins whole. Schema creation and upgrades run under an
 * advisory lock (`postgres-open.ts`). Connection failures go through {@link Availability}: one warning,
 * fail fast, recover.
 */
import type { Pool, QueryResultRow } from "pg";
import { FlecheError, SaveError } from "../../errors.js";
import { logger, warnPerCause } from "../../log.js";
import { matchesRecord, type RecordTemplate } from "../../query/template.js";
import { Availability } from "./availability.js";
import { loadPg, migrate, transaction, type PgModule } from "./postgres-open.js";
import { isAscii, successor } from "./conditions.js";
import { numbered, postgres } from "./dialect.js";
import { BATCH, FIRST_KEYS, PAGE, type SqlDriver, type SqlInfo } from "./driver.js";
import { VerifiedHits } from "./checks.js";
import { fromRow, resultRefOf, toRow, type CallRow, type StoredRow } from "./rows.js";
import { assertStorable, postgresText, prefixPlan } from "./text.js";
import { templateCondition } from "./where.js";
import { redactUrl, type PostgresLocation } from "./url.js";
import type { CallRecord } from "../../call-record.js";
import type { ResultRef, VerifyOptions, VerifyReport } from "../types.js";
import { rowProblem, VERIFY_PAGE, VerifyTally } from "./verify.js";
import { PostgresValues } from "./postgres-values.js";
import { PostgresLeases } from "./postgres-leases.js";
import { LeaseListener } from "./postgres-listener.js";

/** Attempts of a save that lost a deadlock or serialization race. */
const SAVE_ATTEMPTS = 5;

/** A record is one row; the argument index follows it by triggers (`schema.ts`). */
const UPSERT = numbered(`INSERT INTO calls (key, name, module, version, code_digest, result, inline, timestop, walltime, result_check, record_check, arguments, metadata)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
  ON CONFLICT (key) DO UPDATE SET name = excluded.name, module = excluded.module, version = excluded.version,
  code_digest = excluded.code_digest, result = excluded.result, inline = excluded.inline, timestop = excluded.timestop, walltime = excluded.walltime,
  result_check = excluded.result_check, record_check = excluded.record_check, arguments = excluded.arguments, metadata = excluded.metadata`);
/** Value rows up to this size come with a hit's record (`loadResult`). */
const PREFETCH_BYTES = 64 * 1024;
const LOAD_RESULT = `SELECT c.result, c.inline, c.result_check, CASE WHEN length(v.body) <= $2 THEN v.body END
  FROM calls c LEFT JOIN value_entries v ON v.key = c.result WHERE c.key = $1`;
const LOAD_ONE = `SELECT ${postgres.recordColumns} FROM calls c WHERE c.key = $1`;
const LOAD_MANY = `SELECT ${postgres.recordColumns} FROM calls c WHERE c.key = ANY($1::text[])`;

export class PostgresDriver implements SqlDriver {
  readonly #url: string;
  readonly #label: string;
  /** Hit texts already verified (see `checks.ts`). */
  readonly #verified = new VerifiedHits();
  readonly #health: Availability;
  #pool: Pool | undefined;
  #connecting: Promise<Pool> | undefined;
  #closed = false;
  readonly #listener: LeaseListener;
  /** The `value_entries` table. */
  readonly values: PostgresValues;
  /** Leases on call keys, on the server's clock, with `NOTIFY` on release. */
  readonly leases: PostgresLeases;
  /** Told the bytes of a value row read along with a hit's record. */
  onValueRead: ((key: string, bytes: Uint8Array) => void) | undefined;

  constructor(location: PostgresLocation, label: string) {
    this.#url = location.url;
    this.#label = label;
    this.#health = new Availability(label);
    const run = <T>(op: (pool: Pool) => Promise<T>): Promise<T> => this.#run(op);
    this.values = new PostgresValues(run);
    this.#listener = new LeaseListener(() => this.#listenerClient(), label);
    this.leases = new PostgresLeases(run, this.#listener);
  }

  /** A connection of its own for `LISTEN` (after the pool's first success, so the schema is there). */
  async #listenerClient(): Promise<import("pg").Client> {
    await this.#connect();
    const pg = await loadPg(this.#label);
    const client = new pg.Client({ connectionString: this.#url, application_name: "fleche-leases", connectionTimeoutMillis: 5000 });
    client.on("error", () => undefined); // reported by the listener's own handler once attached
    await client.connect();
    return client;
  }

  save(record: CallRecord): Promise<void> {
    return this.saveMany([record]);
  }

  async saveMany(records: readonly CallRecord[]): Promise<void> {
    if (records.length === 0) return;
    // A SaveError here (a string PostgreSQL cannot keep, a version JSON cannot hold) rejects the promise.
    for (const record of records) assertStorable(record, postgresText, this.#label);
    const rows = records.map((record) => toRow(record, "postgres"));
    return this.#run(async (pool) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const values = (c: CallRow) => [
            c.key, c.name, c.module, c.version, c.code_digest, c.result, c.inline, c.timestop, c.walltime, c.result_check, c.record_check, c.arguments, c.metadata,
          ];
          // One record is one statement, atomic alone: no BEGIN and COMMIT round trips.
          if (rows.length === 1) return void (await pool.query(UPSERT, values(rows[0]!)));
          return await transaction(pool, async (client) => {
            for (const c of rows) await client.query(UPSERT, values(c));
          });
        } catch (error) {
          const code = (error as { code?: string }).code;
          if ((code === "40P01" || code === "40001") && attempt < SAVE_ATTEMPTS) continue; // lost a race: again
          if (code === "22P05" || code === "22021") {
            throw new SaveError(`${this.#label}: PostgreSQL cannot store a NUL character (\\u0000) in text or JSON: ${(error as Error).message}`, {
              cause: error,
            });
          }
          throw error;
        }
      }
    });
  }

  load(key: string): Promise<CallRecord | undefined> {
    if (!postgresText.column(key)) return Promise.resolve(undefined); // no stored key holds it (nor could pg bind it)
    return this.#run(async (pool) => {
      const row = (await pool.query(LOAD_ONE, [key])).rows[0] as StoredRow | undefined;
      return row === undefined ? undefined : this.#decode(row);
    });
  }

  /**
   * The hit: the record's result columns and, in the same statement, the result's value row when it is
   * stored here and small, handed to {@link PostgresDriver.onValueRead} (the value store of the same
   * `Sql` object loads it next without a second round trip).
   */
  loadResult(key: string): Promise<ResultRef | undefined> {
    if (!postgresText.column(key)) return Promise.resolve(undefined);
    return this.#run(async (pool) => {
      // A named statement: prepared once per connection, so the join is not planned again on every hit.
      const row = (await pool.query({ name: "fleche_load_result", text: LOAD_RESULT, values: [key, PREFETCH_BYTES], rowMode: "array" })).rows[0] as
        | [unknown, unknown, unknown, Buffer | null]
        | undefined;
      const ref = resultRefOf(row && [row[0], row[1], row[2]], key, this.#label, this.#verified);
      if (ref?.result && row?.[3]) this.onValueRead?.(ref.result, row[3]);
      return ref;
    });
  }

  contains(key: string): Promise<boolean> {
    if (!postgresText.column(key)) return Promise.resolve(false);
    return this.#run(async (pool) => (await pool.query("SELECT 1 FROM calls WHERE key = $1", [key])).rowCount! > 0);
  }

  evict(key: string): Promise<void> {
    if (!postgresText.column(key)) return Promise.resolve();
    return this.#run(async (pool) => void (await pool.query("DELETE FROM calls WHERE key = $1", [key])));
  }

  async *keys(prefix?: string): AsyncGenerator<string> {
    // A prefix with a NUL or a lone surrogate starts no stored key (and PostgreSQL would refuse to bind it).
    const plan = prefix === undefined ? undefined : prefixPlan(prefix, postgresText.column);
    if (plan?.kind === "none") return;
    const lower = plan?.prefix ?? "";
    const ranged = lower !== "" && isAscii(lower);
    const upper = ranged ? " AND key < $2" : "";
    const bound = ranged ? [successor(lower)] : [];
    let page = await this.#column(`SELECT key FROM calls WHERE key >= $1${upper} ORDER BY key LIMIT ${PAGE}`, [lower, ...bound]);
    while (page.length) {
      for (const key of page) if (prefix === undefined || key.startsWith(prefix)) yield key;
      if (page.length < PAGE) return;
      page = await this.#column(`SELECT key FROM calls WHERE key > $1${upper} ORDER BY key LIMIT ${PAGE}`, [page[page.length - 1]!, ...bound]);
    }
  }

  /** As in SQLite: a `LIMIT`ed first statement (early stops are cheap), then every other matching key. */
  async *query(template: RecordTemplate): AsyncGenerator<CallRecord> {
    const where = templateCondition(template, postgres);
    const select = `SELECT c.key FROM calls c WHERE ${numbered(where.sql)}`;
    const first = await this.#column(`${select} LIMIT ${FIRST_KEYS}`, where.params);
    yield* this.#records(template, first);
    if (first.length < FIRST_KEYS) return;
    const seen = new Set(first);
    yield* this.#records(template, (await this.#column(select, where.params)).filter((k) => !seen.has(k)));
  }

  async *#records(template: RecordTemplate, keys: readonly string[]): AsyncGenerator<CallRecord> {
    for (let i = 0; i < keys.length; i += BATCH) {
      for (const record of await this.#loadMany(keys.slice(i, i + BATCH))) if (matchesRecord(template, record)) yield record;
    }
  }

  async extreme(template: RecordTemplate, which: "latest" | "oldest"): Promise<CallRecord | undefined> {
    const where = templateCondition(template, postgres);
    const sql = numbered(
      `SELECT c.key FROM calls c WHERE c.timestop IS NOT NULL AND (${where.sql}) ORDER BY c.timestop ${which === "latest" ? "DESC" : "ASC"} LIMIT ? OFFSET ?`,
    );
    let size = where.exact ? 1 : 64; // exact: one row; a superset: pages until a record really matches
    for (let offset = 0; ; offset += size, size = 64) {
      const keys = await this.#column(sql, [...where.params, size, offset]);
      for (const record of await this.#loadMany(keys)) if (matchesRecord(template, record)) return record;
      if (keys.length < size) return undefined;
    }
  }

  async verify(options: VerifyOptions): Promise<VerifyReport> {
    const tally = new VerifyTally();
    const total = Number(await this.#run(async (pool) => (await pool.query("SELECT count(*) AS n FROM calls")).rows[0]?.n));
    const page = `SELECT ${postgres.recordColumns} FROM calls c WHERE c.key > $1 ORDER BY c.key LIMIT ${VERIFY_PAGE}`;
    const remove = "DELETE FROM calls WHERE key = $1 AND result_check IS NOT DISTINCT FROM $2 AND record_check IS NOT DISTINCT FROM $3";
    for (let last = ""; ; ) {
      const rows = await this.#run(async (pool) => (await pool.query(page, [last])).rows as StoredRow[]);
      for (const row of rows) {
        const problem = rowProblem(row, "postgres");
        tally.checked++;
        if (problem === undefined) continue;
        tally.problems.push({ key: row.key, problem });
        if (options.repair) tally.removed += await this.#run(async (pool) => (await pool.query(remove, [row.key, row.result_check, row.record_check])).rowCount ?? 0);
      }
      options.onProgress?.(tally.checked, total);
      if (rows.length < VERIFY_PAGE) return tally.report();
      last = rows[rows.length - 1]!.key;
    }
  }

  info(): Promise<SqlInfo> {
    return this.#run(async (pool) => {
      const version = (await pool.query("SELECT version FROM fleche_schema WHERE id = 1")).rows[0]?.version as number;
      const server = (await pool.query("SHOW server_version")).rows[0]?.server_version as string;
      return { kind: "postgres", url: redactUrl(this.#url), schemaVersion: version, serverVersion: server };
    });
  }

  async ready(): Promise<void> {
    await this.#run(async () => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener.close();
    const pool = this.#pool;
    this.#pool = undefined;
    this.#connecting = undefined;
    await pool?.end();
  }

  async #loadMany(keys: readonly string[]): Promise<CallRecord[]> {
    if (keys.length === 0) return [];
    const rows = await this.#run(async (pool) => (await pool.query(LOAD_MANY, [keys])).rows as StoredRow[]);
    const byKey = new Map<string, CallRecord>();
    for (const row of rows) {
      const record = this.#decode(row);
      if (record) byKey.set(record.key, record);
    }
    return keys.map((k) => byKey.get(k)).filter((r): r is CallRecord => r !== undefined);
  }

  select(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    return this.#run(async (pool) => (await pool.query<unknown[]>({ text: numbered(sql), values: [...params], rowMode: "array" })).rows);
  }

  selectColumn(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    return this.#column(numbered(sql), params);
  }

  /** The first column of every row (`$n` placeholders). */
  #column(text: string, values: readonly unknown[]): Promise<string[]> {
    return this.#run(async (pool) => {
      const result = await pool.query<unknown[]>({ text, values: [...values], rowMode: "array" });
      return result.rows.map((row) => row[0] as string);
    });
  }

  #decode(row: StoredRow | QueryResultRow): CallRecord | undefined {
    try {
      return fromRow(row as StoredRow, "postgres");
    } catch (error) {
      // Once per damaged row and reason: a miss reads the row again (the lease re-check), still one warning.
      warnPerCause(`${this.#label}\0${(row as StoredRow).key}\0${(error as Error).message}`, `${this.#label}: call ${(row as StoredRow).key} is unreadable (${(error as Error).message}); treating it as a miss`);
      return undefined;
    }
  }

  /** Every operation: connected, schema checked, through the availability guard. */
  #run<T>(op: (pool: Pool) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new FlecheError(`${this.#label} is closed`, "FLECHE_CLOSED"));
    return this.#health.run(async () => op(await this.#connect()));
  }

  /** The pool, created once; the schema is checked (created, upgraded) on the first success. */
  #connect(): Promise<Pool> {
    this.#connecting ??= (async () => {
      const pg = await loadPg(this.#label);
      this.#pool ??= this.#createPool(pg);
      await migrate(this.#pool, this.#label);
      return this.#pool;
    })().catch((error: unknown) => {
      this.#connecting = undefined; // try again on the next operation (the server may come back)
      throw error;
    });
    return this.#connecting;
  }

  #createPool(pg: PgModule): Pool {
    const pool = new pg.Pool({
      connectionString: this.#url,
      max: 8,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: "fleche",
    });
    // Idle connections die with a server restart; the pool drops them. Without a listener the error
    // event would crash the process.
    pool.on("error", (error) => logger().debug(`${this.#label}: idle connection lost (${error.message})`));
    return pool;
  }
}
