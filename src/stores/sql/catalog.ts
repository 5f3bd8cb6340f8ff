/**
 * The catalog push-down of the `Sql` store (`stores/catalog.ts`): tallies by `GROUP BY` over the
 * `calls_name (name, timestop)` index, pages by `ORDER BY timestop LIMIT/OFFSET` (an index walk, never a
 * read of the skipped records), counts and value references in the database. Templates whose SQL is only
 * a superset of the matches (`Cond.exact` false) are answered by scanning the store's exact query.
 * Runtime totals and medians read every call's runtime metadata: the one answer that is not an index
 * lookup, since wall times are not a column.
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

/** What the SQL catalog needs from its store. */
export interface SqlCatalogSource {
  readonly dialect: Dialect;
  readonly select: SelectRows;
  /** The full record under a key (the store's own load, with its checks). */
  readonly load: (key: string) => MaybePromise<CallRecord | undefined>;
  /** The store's exact query, for templates the SQL cannot select exactly. */
  readonly records: RecordSource;
  /** Rows per slice of a long SQLite read. @default SLICE */
  readonly slice?: number;
}

/** The catalog of a SQL call store. */
export function sqlCatalog(source: SqlCatalogSource): CallCatalog {
  const { dialect, select, load } = source;
  const slice = source.slice ?? SLICE;
  const scan = scanCatalog(source.records);
  const pg = dialect.name === "postgres";
  // The calls with their runtime namespace as `runtime`. SQLite finds it by `json_each`, whose keys
  // compare whole (a JSON path would also take a namespace "runtime\u0000…").
  const calls = pg ? "calls c" : "calls c JOIN json_each(c.metadata) r ON r.key = 'runtime' AND r.type = 'object'";
  const runtime = pg ? "(c.metadata -> 'runtime')" : "r.value";
  const walltime = pg ? `(${runtime} ->> 'walltime')::float8` : `json_extract(${runtime}, '$.walltime')`;
  const timed = pg ? `jsonb_typeof(${runtime} -> 'walltime') = 'number'` : `json_type(${runtime}, '$.walltime') IN ('integer', 'real')`;
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
      // Wall times live in the metadata JSON only: this reads every call's metadata (the one part of the
      // statistics that is not an index lookup; see docs/ui.md, "Performance").
      const walls = new Map<string, number[]>();
      const rows = inSlices(`SELECT c.name, ${walltime} FROM ${calls}`, timed, []);
      for await (const [name, wall] of rows) {
        if (wall === null || wall === undefined) continue;
        const list = walls.get(String(name));
        if (list) list.push(Number(wall));
        else walls.set(String(name), [Number(wall)]);
      }
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
        `SELECT c.key, c.timestop, ${walltime} FROM ${calls}
         WHERE ${timed} AND c.timestop IS NOT NULL AND (${where.sql}) ORDER BY c.timestop DESC LIMIT ?`,
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
