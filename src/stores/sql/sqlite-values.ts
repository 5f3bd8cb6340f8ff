/**
 * The `value_entries` table in SQLite: synchronous, so a hit on a small value is answered without a
 * promise. Writes of several rows and multi-row touches run in one `BEGIN IMMEDIATE` transaction.
 */
import { PAGE } from "./driver.js";
import { successor } from "./conditions.js";
import type { SqliteAccess } from "./sqlite-access.js";
import { childrenColumn, parseChildren, type EntryRow, type ValueTable } from "./value-table.js";

const UPSERT = `INSERT INTO value_entries (key, body, children, touched_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET body = excluded.body, children = excluded.children, touched_at = excluded.touched_at`;
const TOUCH = "UPDATE value_entries SET touched_at = ? WHERE key = ? RETURNING children";

/** The `value_entries` table of one SQLite database, through its driver's connection. */
export class SqliteValues implements ValueTable {
  constructor(private readonly db: SqliteAccess) {}

  read(key: string): Uint8Array | undefined {
    return this.db.retry(() => this.db.statement("SELECT body FROM value_entries WHERE key = ?", true).get(key)) as Buffer | undefined;
  }

  touch(keys: readonly string[], at: number): ReadonlyMap<string, readonly string[]> {
    this.db.mayWrite(`not touching value ${keys[0] ?? ""}`, true);
    const found = new Map<string, readonly string[]>();
    const run = () => {
      const statement = this.db.statement(TOUCH, true);
      for (const key of keys) {
        const children = statement.get(at, key);
        if (children !== undefined) found.set(key, parseChildren(children));
      }
    };
    if (keys.length === 1) this.db.retry(run);
    else this.db.write(run);
    return found;
  }

  write(rows: readonly EntryRow[], at: number): void {
    this.db.mayWrite(`not saving value ${rows[rows.length - 1]?.key ?? ""}`, true);
    this.db.write(() => {
      const statement = this.db.statement(UPSERT);
      for (const row of rows) statement.run(row.key, row.bytes, childrenColumn(row.children), at);
    });
  }

  contains(key: string): boolean {
    return this.db.retry(() => this.db.statement("SELECT 1 FROM value_entries WHERE key = ?", true).get(key)) !== undefined;
  }

  children(key: string): readonly string[] | undefined {
    const column = this.db.retry(() => this.db.statement("SELECT children FROM value_entries WHERE key = ?", true).get(key));
    return column === undefined ? undefined : parseChildren(column);
  }

  writtenAt(key: string): number | undefined {
    return this.db.retry(() => this.db.statement("SELECT touched_at FROM value_entries WHERE key = ?", true).get(key)) as number | undefined;
  }

  remove(key: string): void {
    this.db.mayWrite(`not evicting value ${key}`, false);
    this.db.retry(() => this.db.statement("DELETE FROM value_entries WHERE key = ?").run(key));
  }

  removeIfStale(key: string, cutoff: number): boolean {
    this.db.mayWrite(`not evicting value ${key}`, false);
    return this.db.retry(() => this.db.statement("DELETE FROM value_entries WHERE key = ? AND touched_at <= ?").run(key, cutoff)).changes > 0;
  }

  *keys(prefix: string): Generator<string> {
    const upper = prefix ? " AND key < ?" : "";
    const bound = prefix ? [successor(prefix)] : [];
    const page = (sql: string, from: string) => this.db.retry(() => this.db.statement(`${sql}${upper} ORDER BY key LIMIT ${PAGE}`, true).all(from, ...bound)) as string[];
    let keys = page("SELECT key FROM value_entries WHERE key >= ?", prefix);
    while (keys.length) {
      yield* keys;
      if (keys.length < PAGE) return;
      keys = page("SELECT key FROM value_entries WHERE key > ?", keys[keys.length - 1]!);
    }
  }

  count(): number {
    return this.db.retry(() => this.db.statement("SELECT count(*) FROM value_entries", true).get()) as number;
  }
}
