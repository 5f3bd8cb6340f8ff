/**
 * Issue 11's SQL numbers, part of `npm run bench -- sql` (section 30-sql): (e) a cache hit of a small
 * non-inline value (a 1 KB object) with values and calls in one `Sql` store, on PostgreSQL against a
 * raw `SELECT` of the same value row through `pg` (target ≤ 1.5×), and on SQLite against a raw
 * better-sqlite3 `SELECT` of that row; (f) a 100 MB Float64Array stored and loaded, against raw `pg` /
 * better-sqlite3 writes and reads of the same bytes. PostgreSQL is the test server
 * (`FLECHE_TEST_POSTGRES_URL`, or a throwaway cluster started by test/helpers/postgres.ts).
 */
import { rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pg from "pg";
import { Cache, Sql, fleche, withCache } from "../src/index.js";
import { formatNs, median, printTable, ratio } from "./harness.js";
import { dropDatabases, freshDatabase } from "../test/helpers/postgres.js";

/** A 1 KB object: not inline (objects never are), stored as one value row. */
const oneKb = (n: number) => ({ n, payload: "x".repeat(1000) });

export default async function sqlValues(work: string): Promise<void> {
  await hits(work);
  await large(work);
  await dropDatabases();
}

async function hits(work: string): Promise<void> {
  const rows: Record<string, string>[] = [];
  const get = fleche(function getKb(n: number) {
    return oneKb(n);
  });
  // PostgreSQL: values and calls in one store; the same database through two objects (as `type = "sql"`
  // on both sides of a config builds it: the value is then read in a statement of its own).
  const url = await freshDatabase();
  const store = new Sql({ url });
  const one = new Cache({ values: store, calls: store });
  const values = new Sql({ url });
  const calls = new Sql({ url });
  const two = new Cache({ values, calls });
  await withCache(one, () => get(1));
  const key = (await store.loadResult((await firstCall(store))!))!.result!;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const selectBody = "SELECT body FROM value_entries WHERE key = $1";
  // Measured in turns (a batch of each, eleven times), so a noisy neighbour weighs on all of them alike.
  const [hit, twoObjects, raw, prepared] = await interleaved(
    [
      () => withCache(one, () => get(1)),
      () => withCache(two, () => get(1)),
      () => pool.query({ text: selectBody, values: [key], rowMode: "array" }),
      // The same SELECT as a named (prepared) statement, as fleche's hit is: the floor of one round trip.
      () => pool.query({ name: "bench_select", text: selectBody, values: [key], rowMode: "array" }),
    ],
    200,
  );
  rows.push(
    { store: "PostgreSQL, one Sql for values and calls", hit: formatNs(hit!), "raw SELECT of the value row": formatNs(raw!), "hit / raw": ratio(hit!, raw!), target: "≤ 1.5×" },
    { store: "PostgreSQL, one Sql, against a prepared raw SELECT", hit: formatNs(hit!), "raw SELECT of the value row": formatNs(prepared!), "hit / raw": ratio(hit!, prepared!), target: "" },
    { store: "PostgreSQL, two Sql objects (config)", hit: formatNs(twoObjects!), "raw SELECT of the value row": formatNs(raw!), "hit / raw": ratio(twoObjects!, raw!), target: "" },
  );
  await pool.end();
  for (const s of [store, values, calls]) await s.close();

  // SQLite: values and calls in one file, against better-sqlite3 reading the value row.
  const dir = `${work}sql-values/`;
  rmSync(dir, { recursive: true, force: true });
  const lite = new Sql({ url: `${dir}cache.db` });
  const liteCache = new Cache({ values: lite, calls: lite });
  await withCache(liteCache, () => get(2));
  const liteKey = (lite.loadResult((await firstCall(lite))!) as { result: string }).result;
  const db = new Database(`${dir}cache.db`, { readonly: true });
  const select = db.prepare("SELECT body FROM value_entries WHERE key = ?").pluck();
  const [liteHit, liteRaw] = await interleaved([() => withCache(liteCache, () => get(2)), () => select.get(liteKey)], 5000);
  db.close();
  await lite.close();
  rows.push({ store: "SQLite file, one Sql for values and calls", hit: formatNs(liteHit!), "raw SELECT of the value row": formatNs(liteRaw!), "hit / raw": ratio(liteHit!, liteRaw!), target: "" });
  printTable("(e) Hit of a 1 KB object with values and calls in SQL, against a raw SELECT of its value row (same run, medians of 11 interleaved batches)", rows);
}

/** Median ns per operation of each op, timed in turns: a batch of each op, eleven times, after a warm-up batch. */
async function interleaved(ops: readonly (() => unknown)[], batch: number): Promise<number[]> {
  const samples = ops.map(() => [] as number[]);
  for (let turn = -1; turn < 11; turn++) {
    for (const [i, op] of ops.entries()) {
      const start = performance.now();
      for (let k = 0; k < batch; k++) {
        const r = op();
        if (r instanceof Promise) await r;
      }
      if (turn >= 0) samples[i]!.push(((performance.now() - start) * 1e6) / batch);
    }
  }
  return samples.map(median);
}

async function firstCall(store: Sql): Promise<string | undefined> {
  for await (const key of store.listCalls()) return key;
  return undefined;
}

/** Median wall time (ns) of `runs` runs after one warm-up. */
async function timed(op: () => unknown, runs = 3): Promise<number> {
  await op();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await op();
    samples.push((performance.now() - start) * 1e6);
  }
  return median(samples);
}

async function large(work: string): Promise<void> {
  const value = new Float64Array((100 * 1024 * 1024) / 8).map((_, i) => i * 0.5);
  const bytes = Buffer.from(value.buffer);
  const rows: Record<string, string>[] = [];
  const mbs = (ns: number) => `${(100 / (ns / 1e9)).toFixed(0)} MB/s`;

  const url = await freshDatabase();
  const store = new Sql({ url });
  let key = "";
  const save = await timed(async () => {
    key = await store.saveValue(value);
    await store.evictValue(key); // every run writes the row anew
  });
  key = await store.saveValue(value);
  const load = await timed(() => store.loadValue(key));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE TABLE raw (k text PRIMARY KEY, b bytea)");
  await client.query("ALTER TABLE raw ALTER COLUMN b SET STORAGE EXTERNAL");
  const rawSave = await timed(async () => {
    await client.query("INSERT INTO raw VALUES ('x', $1)", [bytes]);
    await client.query("DELETE FROM raw");
  });
  await client.query("INSERT INTO raw VALUES ('x', $1)", [bytes]);
  const rawLoad = await timed(() => client.query("SELECT b FROM raw WHERE k = 'x'"));
  await client.end();
  await store.close();
  rows.push(
    { store: "PostgreSQL", operation: "store", fleche: mbs(save), "raw pg (one bytea)": mbs(rawSave), "fleche / raw (throughput)": ratio(rawSave, save) },
    { store: "PostgreSQL", operation: "load", fleche: mbs(load), "raw pg (one bytea)": mbs(rawLoad), "fleche / raw (throughput)": ratio(rawLoad, load) },
  );

  const dir = `${work}sql-large/`;
  rmSync(dir, { recursive: true, force: true });
  const lite = new Sql({ url: `${dir}big.db` });
  const liteSave = await timed(async () => {
    key = await lite.saveValue(value);
    lite.evictValue(key);
  });
  key = await lite.saveValue(value);
  const liteLoad = await timed(() => lite.loadValue(key));
  await lite.close();
  const db = new Database(`${dir}raw.db`);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE raw (k TEXT PRIMARY KEY, b BLOB)");
  const insert = db.prepare("INSERT INTO raw VALUES ('x', ?)");
  const remove = db.prepare("DELETE FROM raw");
  const liteRawSave = await timed(() => {
    insert.run(bytes);
    remove.run();
  });
  insert.run(bytes);
  const read = db.prepare("SELECT b FROM raw WHERE k = 'x'").pluck();
  const liteRawLoad = await timed(() => read.get());
  db.close();
  rows.push(
    { store: "SQLite file", operation: "store", fleche: mbs(liteSave), "raw pg (one bytea)": `${mbs(liteRawSave)} (raw better-sqlite3)`, "fleche / raw (throughput)": ratio(liteRawSave, liteSave) },
    { store: "SQLite file", operation: "load", fleche: mbs(liteLoad), "raw pg (one bytea)": `${mbs(liteRawLoad)} (raw better-sqlite3)`, "fleche / raw (throughput)": ratio(liteRawLoad, liteLoad) },
  );
  printTable("(f) A 100 MB Float64Array in SQL: throughput of a store and a load (median of 3 runs; fleche's store includes its eviction, as the raw one its DELETE)", rows);
}
