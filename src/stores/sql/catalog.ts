/**
 * The catalog push-down of the `Sql` store (`stores/catalog.ts`): tallies by `GROUP BY` over the
 * `calls_name (name, timestop)` index, pages by `ORDER BY timestop LIMIT/OFFSET` (an index walk, never a
 * read of the skipped records), counts and value references in the database. Templates whose SQL is only
 * a superset of the matches (`Cond.exact` false) are answered by scanning the store's exact query.
 * Runtime totals and medians read each function's wall times from the same index, which holds them
 * (`calls.walltime` mirrors `metadata.runtime.walltime`).
 */
import { runtimeSummary, type CallCatalog, type FunctionCount, type FunctionTally, type RuntimePoint, type ValueReference } from "../catalog.js";
import { scanCatalog, type RecordSource } from "../../catalog/scan.js";
import { templateCondition } from "./where.js";
import type { Dialect } from "./dialect.js";
import type { MaybePromise } from "../../maybe.js";
import type { CallRecord } from "../../call-record.js";
import type { RecordTemplate } from "../../query/template.js";

/** Rows per slice of a long SQLite read (about a tenth of a second each). */
const SLICE = 25_000;

/** Runs one read-only statement (`?` placeholders) and returns its rows as arrays. */
export type SelectRows = (sql: string, params: readonly unknown[]) => MaybePromise<unknown[][]>;

/** Runs one read-only statement (`?` placeholders) and returns the first column of its rows. */
export type SelectColumn = (sql: string, params: readonly unknown[]) => MaybePromise<unknown[]>;

/** What the SQL catalog needs from its store. */
export interface SqlCatalogSource {
  readonly dialect: Dialect;
  readonly select: SelectRows;
  readonly column: SelectColumn;
  /** The full record under a key (the store's own load, with its checks). */
  readonly load: (key: string) => MaybePromise<CallRecord | undefined>;
  /** The store's exact query, for templates the SQL cannot select exactly. */
  readonly records: RecordSource;
  /** Rows per slice of a long SQLite read. @default SLICE */
  readonly slice?: number;
}

/** The catalog of a SQL call store. */
export function sqlCatalog(source: SqlCatalogSource): CallCatalog {
  const { dialect, select, column, load } = source;
  const slice = source.slice ?? SLICE;
  const scan = scanCatalog(source.records);
  const pg = dialect.name === "postgres";
  const newest = pg ? "c.timestop DESC NULLS LAST, c.key" : "c.timestop DESC, c.key";

  /**
   * The rows of `sql` (a SELECT over `calls c`) where `condition` holds, on SQLite read in slices of rowids with
   * a turn of the event loop between them: its driver answers synchronously, and a statement reading a
   * million rows would hold the process (a UI server answering other requests) for seconds. A slice is
   * one statement, so rows saved meanwhile may or may not be seen. PostgreSQL answers asynchronously:
   * one statement.
   */
  async function* inSlices(sql: string, condition: string, params: readonly unknown[]): AsyncGenerator<unknown[]> {
    if (pg) {
      yield* await select(`${sql} WHERE ${condition}`, params);
      return;
    }
    const [last] = await select("SELECT max(rowid) FROM calls", []);
    const top = Number(last?.[0] ?? 0);
    for (let lo = 0; lo < top; lo += slice) {
      yield* await select(`${sql} WHERE (${condition}) AND c.rowid > ? AND c.rowid <= ?`, [...params, lo, lo + slice]);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The wall times of one function's calls, from the `calls_name (name, timestop, walltime)` index
   * alone (`schema.ts`). SQLite reads it in slices of {@link SLICE} entries with a turn of the event
   * loop between them (see `inSlices`): a first statement finds where a slice ends (SQLite steps over
   * the entries before it inside the index), a second reads the slice's wall times as one column, so
   * no row becomes an array. Calls without a finish time (none that fleche records) come first.
   */
  async function wallTimes(name: string): Promise<number[]> {
    const numbers = (values: unknown[]) => values.map(Number);
    if (pg) return numbers(await column("SELECT c.walltime FROM calls c WHERE c.name = ? AND c.walltime IS NOT NULL", [name]));
    const walls = numbers(await column("SELECT c.walltime FROM calls c WHERE c.name = ? AND c.timestop IS NULL AND c.walltime IS NOT NULL", [name]));
    const entries = "FROM calls c INDEXED BY calls_name WHERE c.name = ? AND c.timestop IS NOT NULL AND c.walltime IS NOT NULL";
    const position = "(c.timestop, c.walltime, c.rowid)";
    let after: unknown[] | undefined;
    for (;;) {
      const from = after ? ` AND ${position} > (?, ?, ?)` : "";
      const [last] = await select(`SELECT c.timestop, c.walltime, c.rowid ${entries}${from} ORDER BY c.timestop, c.walltime, c.rowid LIMIT 1 OFFSET ?`, [
        name,
        ...(after ?? []),
        slice - 1,
      ]);
      const upTo = last ? ` AND ${position} <= (?, ?, ?)` : "";
      for (const wall of await column(`SELECT c.walltime ${entries}${from}${upTo}`, [name, ...(after ?? []), ...(last ?? [])])) walls.push(Number(wall));
      if (!last) return walls;
      after = last;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const catalog: CallCatalog = {
    async names() {
      return (await select("SELECT DISTINCT name FROM calls ORDER BY name", [])).map((row) => String(row[0]));
    },

    async counts() {
      const rows = await select("SELECT c.name, count(*), min(c.timestop), max(c.timestop) FROM calls c GROUP BY c.name ORDER BY c.name", []);
      return rows.map(([name, calls, oldest, newest]): FunctionCount => ({
        name: String(name),
        calls: Number(calls),
        oldest: oldest === null ? null : Number(oldest),
        newest: newest === null ? null : Number(newest),
      }));
    },

    async tallies() {
      const counts = await catalog.counts();
      const walls = new Map<string, number[]>();
      for (const { name } of counts) walls.set(name, await wallTimes(name));
      return counts.map((count): FunctionTally => ({ ...count, ...runtimeSummary(walls.get(count.name) ?? []) }));
    },

    async *valueReferences(digests): AsyncGenerator<ValueReference> {
      if (digests.length === 0) return;
      // Arguments through the `arguments` index table (its key starts with (name, value)), results by
      // a scan of the `calls` rows; only the few matching rows are joined.
      const inSet = pg ? "= ANY(?::text[])" : "IN (SELECT value FROM json_each(?))";
      const list = pg ? [...digests] : JSON.stringify(digests);
      const seen = new Set<string>();
      const pairs = async function* () {
        yield* await select(`SELECT DISTINCT c.name, a.value FROM arguments a JOIN calls c ON c.key = a.call_key WHERE a.value ${inSet}`, [list]);
        yield* inSlices("SELECT c.name, c.result FROM calls c", `c.result ${inSet}`, [list]);
      };
      for await (const [name, digest] of pairs()) {
        const id = `${String(name)}\0${String(digest)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        yield [String(name), String(digest)];
      }
    },

    async count(template) {
      const where = templateCondition(template, dialect);
      if (!where.exact) return scan.count(template);
      const [row] = await select(`SELECT count(*) FROM calls c WHERE ${where.sql}`, where.params);
      return Number(row?.[0] ?? 0);
    },

    async page(template, offset, limit) {
      const where = templateCondition(template, dialect);
      if (!where.exact) return scan.page(template, offset, limit);
      const keys = await select(`SELECT c.key FROM calls c WHERE ${where.sql} ORDER BY ${newest} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
      const records: CallRecord[] = [];
      for (const [key] of keys) {
        const record = await load(String(key));
        if (record) records.push(record);
      }
      return records;
    },

    async runtimes(template, limit) {
      const where = templateCondition(template, dialect);
      if (!where.exact) return scan.runtimes(template, limit);
      const rows = await select(
        `SELECT c.key, c.timestop, c.walltime FROM calls c
         WHERE c.walltime IS NOT NULL AND c.timestop IS NOT NULL AND (${where.sql}) ORDER BY c.timestop DESC LIMIT ?`,
        [...where.params, limit],
      );
      return rows.map(([key, timestop, wall]): RuntimePoint => ({ key: String(key), timestop: Number(timestop), walltime: Number(wall) })).reverse();
    },

    async storedBytes() {
      const sql = pg
        ? "SELECT pg_total_relation_size('calls') + pg_total_relation_size('arguments')"
        : "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
      const [row] = await select(sql, []);
      return row === undefined ? undefined : Number(row[0]);
    },
  };
  return catalog;
}
