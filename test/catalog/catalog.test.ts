/**
 * The SQL catalog push-down (SQLite and PostgreSQL) answers exactly as the scan over the same records:
 * names, tallies, value references, counts, pages newest first (undated last) and runtime series, for
 * fixed and random templates (including ones whose SQL is only a superset, answered by the scan).
 * Wall times come from the `calls.walltime` column that mirrors the metadata, read from an index.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Sql, digest } from "../../src/index.js";
import { sqlCatalog } from "../../src/stores/sql/catalog.js";
import { sqlite } from "../../src/stores/sql/dialect.js";
import { matchesRecord, type RecordTemplate } from "../../src/query/template.js";
import { scanCatalog } from "../../src/catalog/scan.js";
import { sampleRecord } from "../../src/testing/call-store.js";
import { prng, randomRecords, randomTemplate } from "../../src/testing/random-templates.js";
import type { CallRecord } from "../../src/call-record.js";
import type { CallCatalog } from "../../src/stores/catalog.js";
import { tempDirs } from "../helpers/temp.js";
import { dropDatabases, freshDatabase } from "../helpers/postgres.js";

after(dropDatabases);
const dirs = tempDirs("catalog");

function records(): CallRecord[] {
  const out: CallRecord[] = [];
  for (let i = 0; i < 60; i++) {
    // Every tenth record is undated, some only have a wall time; every ninth has no wall time, and
    // some a wall time that is not a number; some share their finish and wall times (ties that a
    // slice boundary can fall between).
    const r = sampleRecord(i);
    if (i % 10 === 4) out.push({ ...r, metadata: { tags: r.metadata.tags! } });
    else if (i % 10 === 7) out.push({ ...r, metadata: { ...r.metadata, runtime: { walltime: i / 4 } } });
    else if (i % 9 === 2) out.push({ ...r, metadata: { ...r.metadata, runtime: { timestop: 1_700_000_001 + i } } });
    else if (i % 13 === 5) out.push({ ...r, metadata: { ...r.metadata, runtime: { timestop: 1_700_000_001 + i, walltime: "slow" } } });
    else if (i % 6 === 1) out.push({ ...r, metadata: { ...r.metadata, runtime: { timestop: 1_700_000_000, walltime: 3 } } });
    else out.push({ ...r, metadata: { ...r.metadata, runtime: { timestop: 1_700_000_001 + i, walltime: (i * 37) % 11 } } });
  }
  return [...out, ...randomRecords(7, 40)];
}

const stores = {
  SQLite: async () => new Sql({ url: `sqlite:///${join(dirs(), "calls.db")}` }),
  PostgreSQL: async () => new Sql({ url: await freshDatabase() }),
};

async function all<T>(items: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

for (const [kind, make] of Object.entries(stores)) {
  describe(`Sql catalog on ${kind}`, () => {
    it("answers as the scan does", async () => {
      const rs = records();
      const store = await make();
      await store.saveCalls(rs);
      const scan: CallCatalog = scanCatalog(async function* (template) {
        for (const r of rs) if (matchesRecord(template, r)) yield r;
      });
      const sql = store.catalog;
      assert.deepEqual(await sql.names(), await scan.names());
      const round = (t: readonly object[]) => JSON.parse(JSON.stringify(t, (_, v) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v)));
      assert.deepEqual(round(await sql.tallies()), round(await scan.tallies()));
      assert.deepEqual(await sql.counts(), await scan.counts());
      // Some digests records name (arguments, results), one no record names.
      const named = rs.flatMap((r) => [...Object.values(r.arguments), ...(r.result ? [r.result] : [])]);
      const digests = [...new Set(named.filter((_, i) => i % 3 === 0)), digest("named by no record")];
      const refs = async (c: CallCatalog) => (await all(c.valueReferences(digests))).map((r) => r.join(" ")).sort();
      assert.ok((await refs(scan)).length > 20);
      assert.deepEqual(await refs(sql), await refs(scan));
      assert.deepEqual(await all(sql.valueReferences([])), []);

      const r = prng(11);
      const templates: RecordTemplate[] = [
        {},
        { name: "odd" },
        { name: "even", args: { y: digest(1) } },
        { args: { x: digest(3).slice(0, 5) } },
        { metadata: { tags: { project: "alpha" } } },
        ...Array.from({ length: 30 }, () => randomTemplate(r, rs)),
      ];
      for (const template of templates) {
        const what = JSON.stringify(template);
        assert.equal(await sql.count(template), await scan.count(template), what);
        for (const [offset, limit] of [[0, 7], [7, 7], [50, 100], [0, 0]] as const) {
          const keys = async (c: CallCatalog) => (await c.page(template, offset, limit)).map((x) => x.key);
          assert.deepEqual(await keys(sql), await keys(scan), `${what} page ${offset}+${limit}`);
        }
        assert.deepEqual(await sql.runtimes(template, 5), await scan.runtimes(template, 5), what);
      }
      assert.ok((await sql.storedBytes!())! > 0);
      await store.close();
    });
  });
}

/** The catalog of the SQLite database `db` (the file `store` writes) read in slices of 7 rows, scanning `kept` for what SQL cannot select. */
function slicedCatalog(db: Database.Database, store: Sql, kept: readonly CallRecord[]): CallCatalog {
  return sqlCatalog({
    dialect: sqlite,
    select: (text, params) => db.prepare(text).raw().all(...params) as unknown[][],
    column: (text, params) => db.prepare(text).pluck().all(...params),
    load: (key) => store.loadCall(key),
    records: async function* (template) {
      for (const r of kept) if (matchesRecord(template, r)) yield r;
    },
    slice: 7,
  });
}

describe("Sql catalog on SQLite, read in slices", () => {
  it("tallies and value references read slice by slice answer as one read does", async () => {
    const rs = records();
    const path = join(dirs(), "calls.db");
    const store = new Sql({ url: path });
    await store.saveCalls(rs);
    for (const r of rs.slice(0, 30)) await store.evictCall(r.key); // gaps in the rowids
    const kept = rs.slice(30);
    const db = new Database(path, { readonly: true });
    const sliced = slicedCatalog(db, store, kept);
    const whole = store.catalog;
    const round = (t: readonly object[]) => JSON.parse(JSON.stringify(t, (_, v) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v)));
    assert.deepEqual(round(await sliced.tallies()), round(await whole.tallies()));
    const digests = [...new Set(kept.flatMap((r) => (r.result ? [r.result] : [])))];
    const refs = async (c: CallCatalog) => (await all(c.valueReferences(digests))).map((r) => r.join(" ")).sort();
    assert.ok((await refs(whole)).length > 30);
    assert.deepEqual(await refs(sliced), await refs(whole));
    db.close();
    await store.close();
  });
});

describe("Sql catalog on SQLite, wall times in slices", () => {
  it("counts every wall time when slices end inside a run of equal finish and wall times", async () => {
    const path = join(dirs(), "calls.db");
    const store = new Sql({ url: path });
    const same = Array.from({ length: 20 }, (_, i) => {
      const r = sampleRecord(1000 + i);
      return { ...r, name: "tied", metadata: { runtime: { timestop: 1_700_000_000, walltime: 2 } } };
    });
    const undated = Array.from({ length: 3 }, (_, i) => ({ ...sampleRecord(2000 + i), name: "tied", metadata: { runtime: { walltime: 5 } } }));
    await store.saveCalls([...same, ...undated]);
    const db = new Database(path, { readonly: true });
    const sliced = slicedCatalog(db, store, []);
    const [tally] = await sliced.tallies();
    assert.equal(tally?.name, "tied");
    assert.equal(tally?.calls, 23);
    assert.deepEqual({ timed: tally?.timed, total: tally?.totalRuntime, median: tally?.medianRuntime }, { timed: 23, total: 20 * 2 + 3 * 5, median: 2 });
    db.close();
    await store.close();
  });
});
