/**
 * The `value_entries` table in PostgreSQL. Bodies are sent as binary parameters (`pg` sends a `Buffer`
 * so) and read as `pg` reads `bytea` (hex text), large ones in chunks. Several rows are written in one transaction, in key order (two writers of
 * overlapping values lock rows in the same order); a deadlock or serialization failure is retried.
 */
import type { Pool } from "pg";
import { transaction } from "./postgres-open.js";
import { PAGE } from "./driver.js";
import { successor } from "./conditions.js";
import { childrenColumn, parseChildren, type EntryRow, type ValueTable } from "./value-table.js";

const UPSERT = `INSERT INTO value_entries (key, body, children, touched_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (key) DO UPDATE SET body = excluded.body, children = excluded.children, touched_at = excluded.touched_at`;
const TOUCH = "UPDATE value_entries SET touched_at = $2 WHERE key = ANY($1::text[]) RETURNING key, children";

/**
 * Bodies are read in chunks of this many bytes (each comes as a hex string twice its size; `substring`
 * of an uncompressed, out-of-line body reads only the pages it needs). Measured on 100 MB: 1 MiB chunks
 * 2.6 s, 4 MiB 3.3 s, 16 and 32 MiB 3.9 s, the whole body in one statement 4.5 s.
 */
const CHUNK = 1024 * 1024;
const READ = "SELECT length(body), CASE WHEN length(body) <= $2 THEN body END FROM value_entries WHERE key = $1";
const READ_CHUNK = "SELECT substring(body FROM $2 FOR $3) FROM value_entries WHERE key = $1";

/** Attempts of a write that lost a deadlock or serialization race. */
const ATTEMPTS = 5;

/** How the table reaches the database: the driver's guarded pool (`postgres.ts`). */
export type PoolRunner = <T>(op: (pool: Pool) => Promise<T>) => Promise<T>;

/** The `value_entries` table of one PostgreSQL database, through its driver's pool. */
export class PostgresValues implements ValueTable {
  constructor(private readonly run: PoolRunner) {}

  /**
   * A body up to {@link CHUNK} bytes comes with its length in one statement; a larger one is then read
   * in chunks into one buffer of its size, so no hex string longer than a chunk is ever built.
   */
  read(key: string): Promise<Uint8Array | undefined> {
    return this.run(async (pool) => {
      // Named: prepared once per connection (a value load is a hit's hot path).
      const first = await pool.query<[number, Buffer | null]>({ name: "fleche_read_value", text: READ, values: [key, CHUNK], rowMode: "array" });
      const row = first.rows[0];
      if (row === undefined) return undefined;
      const [size, body] = row;
      if (body !== null) return body;
      const out = Buffer.allocUnsafe(size);
      for (let at = 0; at < size; at += CHUNK) {
        const part = await pool.query<[Buffer]>({ text: READ_CHUNK, values: [key, at + 1, CHUNK], rowMode: "array" });
        const chunk = part.rows[0]?.[0];
        if (chunk === undefined) return undefined; // removed meanwhile
        // A row replaced meanwhile by other bytes under the same key: the check of the whole finds it.
        if (chunk.byteLength !== Math.min(CHUNK, size - at)) return out.subarray(0, at + chunk.byteLength);
        chunk.copy(out, at);
      }
      return out;
    });
  }

  touch(keys: readonly string[], at: number): Promise<ReadonlyMap<string, readonly string[]>> {
    return this.#retried(async (pool) => {
      const result = await pool.query<{ key: string; children: string }>(TOUCH, [[...keys].sort(), Math.round(at)]);
      return new Map(result.rows.map((row) => [row.key, parseChildren(row.children)]));
    });
  }

  write(rows: readonly EntryRow[], at: number): Promise<void> {
    const values = (row: EntryRow) => [row.key, row.bytes, childrenColumn(row.children), Math.round(at)];
    if (rows.length === 1) return this.#retried(async (pool) => void (await pool.query(UPSERT, values(rows[0]!))));
    const ordered = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return this.#retried((pool) =>
      transaction(pool, async (client) => {
        for (const row of ordered) await client.query(UPSERT, values(row));
      }),
    );
  }

  contains(key: string): Promise<boolean> {
    return this.run(async (pool) => (await pool.query("SELECT 1 FROM value_entries WHERE key = $1", [key])).rowCount! > 0);
  }

  children(key: string): Promise<readonly string[] | undefined> {
    return this.run(async (pool) => {
      const row = (await pool.query<{ children: string }>("SELECT children FROM value_entries WHERE key = $1", [key])).rows[0];
      return row === undefined ? undefined : parseChildren(row.children);
    });
  }

  writtenAt(key: string): Promise<number | undefined> {
    return this.run(async (pool) => {
      const row = (await pool.query<{ at: number }>("SELECT touched_at::float8 AS at FROM value_entries WHERE key = $1", [key])).rows[0];
      return row?.at;
    });
  }

  remove(key: string): Promise<void> {
    return this.run(async (pool) => void (await pool.query("DELETE FROM value_entries WHERE key = $1", [key])));
  }

  removeIfStale(key: string, cutoff: number): Promise<boolean> {
    return this.run(async (pool) => (await pool.query("DELETE FROM value_entries WHERE key = $1 AND touched_at <= $2::float8", [key, cutoff])).rowCount! > 0);
  }

  async *keys(prefix: string): AsyncGenerator<string> {
    const upper = prefix ? " AND key < $2" : "";
    const bound = prefix ? [successor(prefix)] : [];
    const page = (sql: string, from: string) =>
      this.run(async (pool) => (await pool.query<[string]>({ text: `${sql}${upper} ORDER BY key LIMIT ${PAGE}`, values: [from, ...bound], rowMode: "array" })).rows.map((r) => r[0]));
    let keys = await page("SELECT key FROM value_entries WHERE key >= $1", prefix);
    while (keys.length) {
      yield* keys;
      if (keys.length < PAGE) return;
      keys = await page("SELECT key FROM value_entries WHERE key > $1", keys[keys.length - 1]!);
    }
  }

  count(): Promise<number> {
    return this.run(async (pool) => Number((await pool.query("SELECT count(*) AS n FROM value_entries")).rows[0]?.n));
  }

  async #retried<T>(op: (pool: Pool) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(op);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code === "40P01" || code === "40001") && attempt < ATTEMPTS) continue;
        throw error;
      }
    }
  }
}
