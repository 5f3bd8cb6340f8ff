import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Cache, ConfigError, D, Memory, SaveError, Sql, cache, cacheFromConfig, digest, fleche, tags, withCache } from "../../../src/index.js";
import { matchesRecord } from "../../../src/query/template.js";
import { allKeys } from "../../../src/stores/keys.js";
import { templateCondition } from "../../../src/stores/sql/where.js";
import { sqlite } from "../../../src/stores/sql/dialect.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { callStoreSuite, sampleRecord } from "../../../src/testing/call-store.js";
import { prng, randomRecords, randomTemplate } from "../../../src/testing/random-templates.js";
import { captureLogs } from "../../helpers/logs.js";

const dir = mkdtempSync(join(tmpdir(), "fleche-sqlite-"));
let n = 0;
const fresh = (name = `calls-${n++}.db`) => join(dir, name);
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

callStoreSuite({
  name: "Sql (SQLite file)",
  make: () => new Sql({ url: `sqlite:///${fresh()}` }),
  reopen: (store) => new Sql({ url: (store as Sql).location.url }),
});
callStoreSuite({ name: "Sql (SQLite :memory:)", make: () => new Sql({ url: ":memory:" }) });

describe("Sql on SQLite: files and settings", () => {
  it("creates parent directories, uses WAL and synchronous=NORMAL, and reports its schema", async () => {
    const path = join(dir, "deep", "er", "calls.db");
    const store = new Sql({ url: `sqlite:///${path}` });
    assert.ok(existsSync(path));
    assert.deepEqual(await store.info(), { kind: "sqlite", url: `sqlite:///${path}`, schemaVersion: SCHEMA_VERSION, journalMode: "wal", synchronous: "normal" });
    await store.close();
    const memory = new Sql();
    assert.equal((await memory.info()).journalMode, "memory");
    assert.deepEqual(memory.toConfig(), { type: "sql", url: ":memory:" });
    await memory.close();
  });

  it("answers synchronously: the hot path pays no promise", async () => {
    const store = new Sql();
    const record = sampleRecord(1);
    assert.equal(store.saveCall(record), undefined);
    const loaded = store.loadCall(record.key);
    assert.ok(!(loaded instanceof Promise));
    assert.deepEqual(loaded, record);
    assert.equal(store.containsCall(record.key), true);
    await store.close();
  });

  it("stores versions JSON-encoded, a record in one row, and its argument index follows evictions", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    store.saveCall(sampleRecord(0)); // version 1
    store.saveCall(sampleRecord(1)); // version "1"
    const db = new Database(path, { readonly: true });
    const versions = db.prepare("SELECT version FROM calls ORDER BY version").pluck().all();
    assert.deepEqual(versions, ['"1"', "1"]);
    const record = sampleRecord(0);
    const key = record.key;
    const row = db.prepare("SELECT arguments, metadata, timestop FROM calls WHERE key = ?").get(key) as { arguments: string; metadata: string; timestop: number };
    assert.deepEqual(JSON.parse(row.arguments), Object.entries(record.arguments), "[name, digest] pairs in position order");
    assert.deepEqual(JSON.parse(row.metadata), record.metadata);
    assert.equal(row.timestop, 1_700_000_001);
    const indexed = () => db.prepare("SELECT name, value FROM arguments WHERE call_key = ? ORDER BY name").raw().all(key);
    assert.deepEqual(indexed(), Object.entries(record.arguments).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('arguments', 'metadata')").pluck().all(), ["arguments"]);
    store.evictCall(key);
    assert.deepEqual(indexed(), []);
    assert.equal(db.prepare("SELECT count(*) FROM calls").pluck().get(), 1);
    assert.equal(db.prepare("SELECT count(*) FROM arguments").pluck().get(), Object.keys(sampleRecord(1).arguments).length);
    db.close();
    await store.close();
  });

  it("keeps the argument index with its rows through replaces, hand edits and damaged rows", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    const a = sampleRecord(0);
    store.saveCall(a);
    const db = new Database(path);
    const indexed = () => db.prepare("SELECT name, value, call_key FROM arguments ORDER BY name, value").raw().all();
    const expected = (key: string, args: Record<string, string>) =>
      Object.entries(args).map(([name, value]) => [name, value, key]).sort((x, y) => (`${x[0]}\0${x[1]}` < `${y[0]}\0${y[1]}` ? -1 : 1));
    assert.deepEqual(indexed(), expected(a.key, a.arguments));
    // Saved again under the same key with other arguments: the index follows the replacement.
    const replaced = { ...a, arguments: { x: digest("other"), "a\u0000b": digest("nul") } };
    store.saveCall(replaced);
    assert.deepEqual(indexed(), expected(a.key, replaced.arguments));
    assert.deepEqual([...(store.queryCalls({ args: { "a\u0000b": digest("nul") } }) as Iterable<unknown>)], [store.loadCall(a.key)]);
    // A hand edit of the column is followed too; a column that is not JSON indexes nothing.
    db.prepare("UPDATE calls SET arguments = ? WHERE key = ?").run(JSON.stringify([["z", digest("z")]]), a.key);
    assert.deepEqual(indexed(), [["z", digest("z"), a.key]]);
    db.prepare("UPDATE calls SET arguments = ? WHERE key = ?").run(JSON.stringify([["z"], 5, "s", {}, ["w", digest("w")]]), a.key);
    assert.deepEqual(indexed(), [["w", digest("w"), a.key]], "only whole pairs are indexed");
    db.prepare("UPDATE calls SET arguments = '{not json' WHERE key = ?").run(a.key);
    assert.deepEqual(indexed(), []);
    // Damage behind the triggers' back (as a bad page would): deleting the row still removes its index rows.
    db.prepare("UPDATE calls SET arguments = ? WHERE key = ?").run(JSON.stringify([["z", digest("z")]]), a.key);
    db.exec("DROP TRIGGER calls_arguments_update");
    db.prepare("UPDATE calls SET arguments = '{not json' WHERE key = ?").run(a.key);
    assert.deepEqual(indexed(), [["z", digest("z"), a.key]]);
    const report = await store.verify({ repair: true });
    assert.equal(report.removed, 1);
    assert.deepEqual(indexed(), []);
    db.close();
    await store.close();
  });

  it("refuses a version JSON cannot hold, storing nothing", async () => {
    const store = new Sql();
    assert.throws(() => store.saveCall(sampleRecord(1, { version: Number.NaN })), SaveError);
    assert.equal(store.containsCall(sampleRecord(1).key), false);
    await store.close();
  });

  it("refuses a file that is not SQLite, naming it and leaving it untouched", () => {
    const path = fresh("not-a-db.db");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const before = sha(path);
    assert.throws(() => new Sql({ url: `sqlite:///${path}` }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`${path}.*not a SQLite database`));
      return true;
    });
    assert.equal(sha(path), before);
    assert.ok(!existsSync(`${path}-wal`) && !existsSync(`${path}-journal`));
  });

  it("refuses a database written by a newer schema version, changing nothing", async () => {
    const path = fresh();
    await new Sql({ url: path }).close();
    const db = new Database(path);
    db.exec("UPDATE fleche_schema SET version = 99");
    db.close();
    const before = sha(path);
    assert.throws(() => new Sql({ url: path }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`schema version 99, newer than this fleche understands \\(${SCHEMA_VERSION}\\)`));
      assert.ok(e.message.includes(`sqlite:///${path}`));
      return true;
    });
    assert.equal(sha(path), before);
  });

  it("refuses a database with a calls table it did not create (a Python fleche database)", () => {
    const path = fresh();
    const db = new Database(path);
    db.exec("CREATE TABLE calls (key VARCHAR(64) PRIMARY KEY, name TEXT)");
    db.exec("INSERT INTO calls VALUES ('abc', 'f')");
    db.close();
    const before = sha(path);
    assert.throws(() => new Sql({ url: path }), /not created by this fleche/);
    assert.equal(sha(path), before);
  });

  it("upgrades a schema-1 database in place, backfilling the time column", async () => {
    const path = fresh("v1.db");
    const db = new Database(path);
    // The layout fleche's SQLite store wrote at schema version 1, verbatim.
    db.exec(`
      CREATE TABLE fleche_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      CREATE TABLE calls (key TEXT PRIMARY KEY, name TEXT NOT NULL, module TEXT, version TEXT, code_digest TEXT, result TEXT, inline TEXT);
      CREATE TABLE arguments (call_key TEXT NOT NULL REFERENCES calls (key) ON DELETE CASCADE, position INTEGER NOT NULL,
        name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (call_key, name)) WITHOUT ROWID;
      CREATE TABLE metadata (call_key TEXT NOT NULL REFERENCES calls (key) ON DELETE CASCADE, namespace TEXT NOT NULL,
        data TEXT NOT NULL, PRIMARY KEY (call_key, namespace)) WITHOUT ROWID;
      CREATE INDEX calls_name ON calls (name);
      CREATE INDEX arguments_value ON arguments (name, value);
      INSERT INTO fleche_schema (id, version) VALUES (1, 1);
    `);
    const old = [sampleRecord(4), sampleRecord(5), sampleRecord(6, { metadata: { tags: { undated: true } } })];
    for (const r of old) {
      db.prepare("INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?)").run(
        r.key, r.name, r.module, r.version === null ? null : JSON.stringify(r.version), r.codeDigest, r.result, r.inline ? JSON.stringify(r.inline) : null,
      );
      Object.entries(r.arguments).forEach(([name, value], i) => db.prepare("INSERT INTO arguments VALUES (?, ?, ?, ?)").run(r.key, i, name, value));
      for (const [ns, data] of Object.entries(r.metadata)) db.prepare("INSERT INTO metadata VALUES (?, ?, ?)").run(r.key, ns, JSON.stringify(data));
    }
    db.close();

    const store = new Sql({ url: path });
    assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
    for (const r of old) assert.deepEqual(store.loadCall(r.key), r);
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare("SELECT timestop FROM calls ORDER BY timestop").pluck().all(), [null, 1_700_000_005, 1_700_000_006]);
    assert.ok(check.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'calls_timestop'").get());
    check.close();
    const c = new Cache({ values: new Memory(), calls: store });
    assert.equal((await c.query().latest()).key, old[1]!.key);
    assert.equal((await c.query().oldest()).key, old[0]!.key);
    store.saveCall(sampleRecord(7));
    await store.close();
    const again = new Sql({ url: path }); // opening a current database changes nothing
    assert.equal((await again.loadCall(sampleRecord(7).key))?.key, sampleRecord(7).key);
    await again.close();
  });

  it("treats an unreadable row as a miss with a warning; the wrapper recomputes and repairs it", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    const c = new Cache({ values: new Memory(), calls: store });
    let runs = 0;
    const f = fleche((x: number) => (runs++, x * 2), { name: "double" });
    await withCache(c, () => f(21));
    const key = (await c.callKeys())[0]!;
    const tamper = (sql: string, value: string) => {
      const db = new Database(path);
      db.prepare(sql).run(value, key);
      db.close();
    };

    tamper("UPDATE calls SET metadata = ? WHERE key = ?", "{not json");
    const logs = captureLogs();
    try {
      assert.equal(store.loadCall(key), undefined, "the record as a whole is unreadable");
      assert.equal(await withCache(c, () => f(21)), 42, "the hit path reads only the intact result");
      assert.equal(runs, 1);

      tamper("UPDATE calls SET inline = ? WHERE key = ?", JSON.stringify({ x: { not: "inline" } }));
      assert.equal(store.loadResult(key), undefined);
      assert.equal(await withCache(c, () => f(21)), 42, "recomputed, never a wrong value");
      assert.equal(runs, 2);
    } finally {
      logs.restore();
    }
    // One warning per damage: the explicit loadResult and the wrapper's reads of the same damaged row
    // (its lookup, and the lease re-check) are one cause; the repeats go to debug.
    assert.equal(logs.warn.filter((w) => w.includes(key) && w.includes("unreadable")).length, 2, logs.warn.join("\n"));
    assert.ok(logs.debug.some((d) => d.includes(key) && d.includes("unreadable") && d.includes("again")));
    assert.deepEqual((await store.loadCall(key))?.inline, [[digest(21), 21], [digest(42), 42]], "the save replaced the broken row");
    await store.close();
  });
});

describe("Sql on SQLite: background checkpoints", () => {
  it("copies the WAL into the database file while the store stays open", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    const before = statSync(path).size;
    for (let i = 0; i < 1000; i++) store.saveCall(sampleRecord(i)); // one transaction each: ~10 checkpoint nudges
    let grown = false;
    for (let attempt = 0; attempt < 200 && !grown; attempt++) {
      grown = statSync(path).size > before + 256 * 1024;
      if (!grown) await sleep(50);
    }
    assert.ok(grown, "a background checkpoint wrote the saved pages into the database file");
    assert.equal((await allKeys((p) => store.listCalls(p))).length, 1000);
    await store.close();
  });

  it("never keeps a process alive that forgets to close its store", () => {
    const script = `import { Sql } from ${JSON.stringify(new URL("../../../src/index.js", import.meta.url).href)};
      const store = new Sql({ url: ${JSON.stringify(fresh())} });
      for (let i = 0; i < 300; i++) store.saveCall({ key: i.toString(16).padStart(64, "0"), name: "f", module: null, version: null, codeDigest: null, arguments: {}, result: null, metadata: {} });
      console.log("saved");`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /saved/);
  });
});

describe("Sql on SQLite: streaming", () => {
  it("lists thousands of keys in order, page by page, while the caller writes in between", async () => {
    const store = new Sql({ url: fresh() });
    const records = Array.from({ length: 2600 }, (_, i) => sampleRecord(i));
    store.saveCalls(records);
    const expected = records.map((r) => r.key).sort();
    const seen: string[] = [];
    for (const key of store.listCalls() as Iterable<string>) {
      seen.push(key);
      if (seen.length % 500 === 0) {
        store.saveCall(sampleRecord(100_000 + seen.length)); // writes between pages must not hit "busy"
        store.evictCall(sampleRecord(100_000 + seen.length).key);
      }
    }
    assert.deepEqual(seen, expected);
    const prefix = expected[1234]!.slice(0, 3);
    assert.deepEqual([...(store.listCalls(prefix) as Iterable<string>)], expected.filter((k) => k.startsWith(prefix)));
    await store.close();
  });

  it("lets a query's consumer call cached functions while it iterates", async () => {
    const c = new Cache({ values: new Memory(), calls: new Sql({ url: fresh() }) });
    using _ = cache(c);
    const sq = fleche((x: number) => x * x, { name: "sq" });
    for (let i = 0; i < 600; i++) await sq(i);
    let seen = 0;
    let writes = 0;
    for await (const _call of sq.query()) {
      if (seen++ % 100 === 0 && writes < 6) await sq(10_000 + writes++); // a save while the query streams
    }
    assert.ok(seen >= 600 && seen <= 606, `saw ${seen}: every stored call, and perhaps some saved meanwhile`);
    assert.equal(await sq.query().count(), 606);
    await c.close();
  });
});

describe("Sql on SQLite: push-down", () => {
  it("selects exactly the matching rows in SQL when it claims exactness, a superset otherwise", async () => {
    for (const seed of [1, 2, 3]) {
      const path = fresh();
      const store = new Sql({ url: path });
      const records = randomRecords(seed, 60);
      store.saveCalls(records);
      await store.close();
      const db = new Database(path, { readonly: true });
      const r = prng(seed);
      let exact = 0;
      for (let i = 0; i < 300; i++) {
        const template = randomTemplate(r, records);
        const where = templateCondition(template, sqlite);
        const got = (db.prepare(`SELECT c.key FROM calls c WHERE ${where.sql}`).pluck().all(...where.params) as string[]).sort();
        const want = records.filter((rec) => matchesRecord(template, rec)).map((rec) => rec.key).sort();
        const message = `seed ${seed} #${i} ${JSON.stringify(template)}`;
        assert.ok(want.every((k) => got.includes(k)), `SQL dropped a match: ${message}`);
        if (where.exact) {
          exact++;
          assert.deepEqual(got, want, `exact SQL selected extra rows: ${message}`);
        }
      }
      assert.ok(exact > 150, "most random templates push down exactly");
      db.close();
    }
  });

  it("answers lookups by function, argument, time and latest() from indexes", async () => {
    const path = fresh();
    await new Sql({ url: path }).close();
    const db = new Database(path, { readonly: true });
    const plan = (template: Parameters<typeof templateCondition>[0], tail = "") => {
      const where = templateCondition(template, sqlite);
      const rows = db.prepare(`EXPLAIN QUERY PLAN SELECT c.key FROM calls c WHERE ${where.sql}${tail}`).all(...where.params) as { detail: string }[];
      return rows.map((row) => row.detail).join(" | ");
    };
    assert.match(plan({ args: { x: digest(1) } }), /SEARCH a USING PRIMARY KEY \(name=\? AND value>\? AND value<\?\)/);
    assert.match(plan({ args: { x: digest(1).slice(0, 6) } }), /SEARCH a USING PRIMARY KEY \(name=\? AND value>\? AND value<\?\)/);
    assert.match(plan({ name: "f" }), /calls_name/);
    assert.match(plan({ metadata: { runtime: { timestop: { $gte: 1, $lt: 2 } } } }), /calls_timestop/);
    assert.match(plan({}, " AND c.timestop IS NOT NULL ORDER BY c.timestop DESC LIMIT 1"), /calls_timestop/);
    assert.match(plan({ name: "f" }, " AND c.timestop IS NOT NULL ORDER BY c.timestop DESC LIMIT 1"), /calls_name \(name=\? AND timestop>\?\)/);
    db.close();
  });

  it("uses the index for latest()/oldest() and agrees with a scan, also after filter() and sortBy()", async () => {
    const c = new Cache({ values: new Memory(), calls: new Sql({ url: fresh() }) });
    const scan = new Cache({ values: new Memory(), calls: new Memory() });
    const records = Array.from({ length: 40 }, (_, i) => sampleRecord(i, i % 5 === 0 ? { metadata: { tags: { undated: i } } } : {}));
    for (const r of records) {
      await (c.calls as Sql).saveCall(r);
      await scan.calls.saveCall(r);
    }
    for (const filter of [{}, { name: "odd" }, { args: { y: D(digest(1)) } }, { metadata: { tags: { project: "beta" } } }]) {
      const pushed = c.query(filter);
      assert.ok(pushed.extremes, "an Sql-backed query has the push-down");
      assert.equal((await pushed.latest()).key, (await scan.query(filter).latest()).key);
      assert.equal((await pushed.oldest()).key, (await scan.query(filter).oldest()).key);
      assert.equal((await pushed.sortBy((call) => call.key).latest()).key, (await scan.query(filter).latest()).key);
    }
    const evenRuns = (call: { metadata: { tags?: { run?: unknown } } }) => typeof call.metadata.tags?.run === "number" && call.metadata.tags.run % 4 === 2;
    assert.equal(c.query().filter(evenRuns).extremes, undefined, "filter() drops the push-down");
    assert.equal((await c.query().filter(evenRuns).latest()).key, (await scan.query().filter(evenRuns).latest()).key);
    await assert.rejects(c.query({ name: "nobody" }).latest(), /empty/);
    await assert.rejects(c.query({ metadata: { tags: { undated: 0 } } }).latest(), /Runtime metadata provider/);
    await c.close();
  });

  it("filters by argument, tag and time range through the wrapper", async () => {
    const c = new Cache({ values: new Memory(), calls: new Sql({ url: fresh() }) });
    using _ = cache(c);
    const power = fleche(function power(a: number, b: number) {
      return a ** b;
    });
    const t0 = new Date();
    {
      using __ = tags({ project: "tour", phase: "warmup" });
      await power(2, 8);
      await power(3, 8);
    }
    await power(2, 10);
    assert.equal(await power.query({ args: { b: 8 } }).count(), 2);
    assert.equal(await power.query({ args: { a: 2 } }).count(), 2);
    assert.equal(await power.query({ metadata: { tags: { project: "tour" } } }).count(), 2);
    assert.equal(await power.query({ metadata: { tags: { phase: { $in: ["warmup", "final"] } } } }).count(), 2);
    assert.equal(await power.query({ metadata: { tags: { $exists: false } } }).count(), 1);
    assert.equal(await power.query({ metadata: { runtime: { timestop: { $gte: t0 } } } }).count(), 3);
    assert.equal(await power.query({ metadata: { runtime: { timestop: { $lt: t0 } } } }).count(), 0);
    assert.equal(await (await power.query({ args: { a: 2 } }).latest()).result(), 1024);
    await c.close();
  });
});

describe("Sql in configuration", () => {
  it("round-trips through cacheFromConfig, in either role", async () => {
    const path = fresh();
    const c = cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", url: path } }) as Cache;
    assert.ok(c.calls instanceof Sql);
    assert.deepEqual(c.toConfig(), { values: { type: "memory" }, calls: { type: "sql", url: `sqlite:///${path}` } });
    await c.close();
    const values = cacheFromConfig({ values: { type: "sql", url: path }, calls: { type: "memory" } }) as Cache;
    assert.ok(values.values instanceof Sql, "since schema 5 a SQL store holds values too");
    await values.close();
    assert.throws(() => cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", url: 3 } }), /`url` of a 'sql' store must be a string/);
    assert.throws(() => cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", echo: true } }), /unknown option `echo`/);
    assert.throws(() => cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", url: "redis://x" } }), /unknown scheme 'redis'/);
  });

  it("keeps results across store instances (a process restart)", async () => {
    const path = fresh();
    let runs = 0;
    const add = fleche((a: number, b: number) => (runs++, a + b), { name: "add" });
    for (let round = 0; round < 3; round++) {
      const c = new Cache({ values: new Memory(), calls: new Sql({ url: path }) });
      assert.equal(await withCache(c, () => add(2, 3)), 5); // 5 travels inline in the record
      await c.close();
    }
    assert.equal(runs, 1);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("calls-") && f.endsWith("-journal")), []);
  });
});
