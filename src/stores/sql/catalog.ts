/**
 * The catalog push-down of the `Sql` store (`stores/catalog.ts`): tallies by `GROUP BY` over the
 * `calls_name (name, timestop)` index, pages by `ORDER BY timestop LIMIT/OFFSET` (an index walk, never a
 * read of the skipped records), counts and value references in the database. Templates whose SQL is only
 * a superset of the matches (`Cond.exact` false) are answered by scanning the store's exact query.
 */
import { median, type CallCatalog, type FunctionTally, type RuntimePoint, type ValueReference } from "../catalog.js";
import { scanCatalog, type RecordSource } from "../../catalog/scan.js";
import { templateCondition } from "./where.js";
import type { Dialect } from "./dialect.js";
import type { MaybePromise } from "../../maybe.js";
import type { CallRecord } from "../../call-record.js";
import type { RecordTemplate } from "../../query/template.js";

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
}

/** The catalog of a SQL call store. */
export function sqlCatalog(source: SqlCatalogSource): CallCatalog {
  const { dialect, select, load } = source;
  const scan = scanCatalog(source.records);
  const pg = dialect.name === "postgres";
  const walltime = pg ? "(r.data ->> 'walltime')::float8" : "json_extract(r.data, '$.walltime')";
  const timed = pg ? "jsonb_typeof(r.data -> 'walltime') = 'number'" : "json_type(r.data, '$.walltime') IN ('integer', 'real')";
  const runtimeJoin = `JOIN metadata r ON r.call_key = c.key AND r.namespace = 'runtime' AND ${timed}`;
  const contains = pg ? "strpos" : "instr";
  const newest = pg ? "c.timestop DESC NULLS LAST, c.key" : "c.timestop DESC, c.key";

  return {
    async names() {
      return (await select("SELECT DISTINCT name FROM calls ORDER BY name", [])).map((row) => String(row[0]));
    },

    async tallies() {
      const counts = await select("SELECT c.name, count(*), min(c.timestop), max(c.timestop) FROM calls c GROUP BY c.name ORDER BY c.name", []);
      const walls = new Map<string, number[]>();
      for (const [name, wall] of await select(`SELECT c.name, ${walltime} FROM calls c ${runtimeJoin}`, [])) {
        const list = walls.get(String(name));
        if (list) list.push(Number(wall));
        else walls.set(String(name), [Number(wall)]);
      }
      return counts.map(([name, calls, oldest, newest]): FunctionTally => {
        const w = walls.get(String(name)) ?? [];
        return {
          name: String(name),
          calls: Number(calls),
          oldest: oldest === null ? null : Number(oldest),
          newest: newest === null ? null : Number(newest),
          timed: w.length,
          totalRuntime: w.reduce((s, x) => s + x, 0),
          medianRuntime: median(w),
        };
      });
    },

    async *valueReferences(): AsyncGenerator<ValueReference> {
      // A digest is inline when the record's inline JSON text names it: digests are 64 hex characters,
      // so a substring test cannot mistake one for another.
      const rows = await select(
        `SELECT c.name, a.value FROM calls c JOIN arguments a ON a.call_key = c.key WHERE c.inline IS NULL OR ${contains}(c.inline, a.value) = 0
         UNION
         SELECT c.name, c.result FROM calls c WHERE c.result IS NOT NULL AND (c.inline IS NULL OR ${contains}(c.inline, c.result) = 0)`,
        [],
      );
      for (const [name, digest] of rows) yield [String(name), String(digest)];
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
        `SELECT c.key, c.timestop, ${walltime} FROM calls c ${runtimeJoin} WHERE c.timestop IS NOT NULL AND (${where.sql}) ORDER BY c.timestop DESC LIMIT ?`,
        [...where.params, limit],
      );
      return rows.map(([key, timestop, wall]): RuntimePoint => ({ key: String(key), timestop: Number(timestop), walltime: Number(wall) })).reverse();
    },

    async storedBytes() {
      const sql = pg
        ? "SELECT pg_total_relation_size('calls') + pg_total_relation_size('arguments') + pg_total_relation_size('metadata')"
        : "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";
      const [row] = await select(sql, []);
      return row === undefined ? undefined : Number(row[0]);
    },
  };
}
