import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, ConfigError, Memory, SaveError, Sql, StoreUnavailable, digest, fleche, withCache } from "../../../src/index.js";
import { matchesRecord } from "../../../src/query/template.js";
import { templateCondition } from "../../../src/stores/sql/where.js";
import { numbered, postgres } from "../../../src/stores/sql/dialect.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { callStoreSuite, sampleRecord } from "../../../src/testing/call-store.js";
import { prng, randomRecords, randomTemplate } from "../../../src/testing/random-templates.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { captureLogs } from "../../helpers/logs.js";

after(dropDatabases);

callStoreSuite({
  name: "Sql (PostgreSQL)",
  make: async () => new Sql({ url: await freshDatabase() }),
  reopen: (store) => new Sql({ url: (store as Sql).location.url }),
});

describe("Sql on PostgreSQL", () => {
  it("creates the schema on first use, with bytewise-ordered digest columns", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const info = await store.info();
    assert.equal(info.kind, "postgres");
    assert.equal(info.schemaVersion, SCHEMA_VERSION);
    assert.match(info.serverVersion ?? "", /^\d+/);
    await store.saveCall(sampleRecord(1));
    await store.close();
    await onDatabase(url, async (client) => {
      const collations = await client.query(
        "SELECT table_name, column_name, collation_name FROM information_schema.columns WHERE column_name IN ('key', 'call_key', 'value', 'result') ORDER BY 1, 2",
      );
      for (const row of collations.rows) assert.equal(row.collation_name, "C", `${row.table_name}.${row.column_name}`);
      const version = await client.query("SELECT version FROM calls");
      assert.deepEqual(version.rows, [{ version: '"1"' }]);
      const indexes = (await client.query("SELECT indexname FROM pg_indexes WHERE tablename IN ('calls', 'arguments')")).rows.map((r) => r.indexname);
      for (const name of ["calls_name", "calls_timestop", "arguments_pkey"]) assert.ok(indexes.includes(name), name);
      assert.deepEqual(indexes.filter((name) => name.startsWith("arguments")), ["arguments_pkey"], "the argument index is its table's key alone");
    });
  });

  it("keeps the argument index with its rows: saves, replaces, hand edits, deletes", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const a = sampleRecord(0);
    const b = sampleRecord(1);
    await store.saveCalls([a, b]);
    const indexed = () =>
      onDatabase(url, async (client) => (await client.query({ text: "SELECT name, value FROM arguments WHERE call_key = $1 ORDER BY name", values: [a.key], rowMode: "array" })).rows);
    const sorted = (args: Record<string, string>) => Object.entries(args).sort((x, y) => (x[0] < y[0] ? -1 : 1));
    assert.deepEqual(await indexed(), sorted(a.arguments));
    const replaced = { ...a, arguments: { x: digest("other") } };
    await store.saveCall(replaced);
    assert.deepEqual(await indexed(), sorted(replaced.arguments));
    await onDatabase(url, (client) => client.query("UPDATE calls SET arguments = $1::jsonb WHERE key = $2", [JSON.stringify([["z", digest("z")], ["y"], 5]), a.key]));
    assert.deepEqual(await indexed(), [["z", digest("z")]], "a hand edit is followed; only whole pairs are indexed");
    await store.evictCall(a.key);
    assert.deepEqual(await indexed(), []);
    const left = await onDatabase(url, async (client) => Number((await client.query("SELECT count(*) AS n FROM arguments")).rows[0]?.n));
    assert.equal(left, Object.keys(b.arguments).length);
    await store.close();
  });

  it("lets many stores initialise one database at once (the schema is created exactly once)", async () => {
    const url = await freshDatabase();
    const stores = Array.from({ length: 6 }, () => new Sql({ url }));
    await Promise.all(stores.map((s) => s.ready()));
    await Promise.all(stores.map((s, i) => s.saveCall(sampleRecord(i))));
    assert.equal((await stores[0]!.info()).schemaVersion, SCHEMA_VERSION);
    for (const s of stores) await s.close();
  });

  it("refuses a newer schema and a foreign calls table, naming the URL (password masked), changing nothing", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    await store.saveCall(sampleRecord(2));
    await store.close();
    await onDatabase(url, (client) => client.query("UPDATE fleche_schema SET version = 99"));
    const withPassword = url.replace("postgres@", "postgres:topsecret@");
    const newer = new Sql({ url: withPassword });
    await assert.rejects(newer.ready(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /schema version 99, newer than this fleche understands/);
      assert.ok(e.message.includes(withPassword.replace("topsecret", "***")));
      assert.doesNotMatch(e.message, /topsecret/);
      return true;
    });
    await newer.close();
    await onDatabase(url, async (client) => {
      assert.deepEqual((await client.query("SELECT version FROM fleche_schema")).rows, [{ version: 99 }]);
      assert.equal((await client.query("SELECT count(*)::int AS n FROM calls")).rows[0].n, 1);
    });

    const foreign = await freshDatabase();
    await onDatabase(foreign, (client) => client.query("CREATE TABLE calls (id serial PRIMARY KEY, key varchar(64))"));
    const other = new Sql({ url: foreign });
    await assert.rejects(other.ready(), /not created by this fleche/);
    await other.close();
  });

  it("upgrades a schema-1 database in place", async () => {
    const url = await freshDatabase();
    const old = [sampleRecord(4), sampleRecord(5), sampleRecord(6, { metadata: { tags: { undated: true } } })];
    await onDatabase(url, async (client) => {
      // The layout fleche's PostgreSQL store wrote at schema version 1, verbatim.
      await client.query(`
        CREATE TABLE fleche_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        CREATE TABLE calls (key TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, module TEXT, version TEXT,
          code_digest TEXT COLLATE "C", result TEXT COLLATE "C", inline TEXT);
        CREATE TABLE arguments (call_key TEXT COLLATE "C" NOT NULL REFERENCES calls (key) ON DELETE CASCADE,
          position INTEGER NOT NULL, name TEXT NOT NULL, value TEXT COLLATE "C" NOT NULL, PRIMARY KEY (call_key, name));
        CREATE TABLE metadata (call_key TEXT COLLATE "C" NOT NULL REFERENCES calls (key) ON DELETE CASCADE,
          namespace TEXT NOT NULL, data JSONB NOT NULL, PRIMARY KEY (call_key, namespace));
        CREATE INDEX calls_name ON calls (name);
        CREATE INDEX arguments_value ON arguments (name, value);
        INSERT INTO fleche_schema (id, version) VALUES (1, 1);`);
      for (const r of old) {
        await client.query("INSERT INTO calls VALUES ($1, $2, $3, $4, $5, $6, $7)", [
          r.key, r.name, r.module, r.version === null ? null : JSON.stringify(r.version), r.codeDigest, r.result, r.inline ? JSON.stringify(r.inline) : null,
        ]);
        for (const [i, [name, value]] of Object.entries(r.arguments).entries()) {
          await client.query("INSERT INTO arguments VALUES ($1, $2, $3, $4)", [r.key, i, name, value]);
        }
        for (const [ns, data] of Object.entries(r.metadata)) await client.query("INSERT INTO metadata VALUES ($1, $2, $3)", [r.key, ns, JSON.stringify(data)]);
      }
    });
    const store = new Sql({ url });
    for (const r of old) assert.deepEqual(await store.loadCall(r.key), r);
    assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
    const c = new Cache({ values: new Memory(), calls: store });
    assert.equal((await c.query().latest()).key, old[1]!.key);
    await store.close();
    await onDatabase(url, async (client) => {
      const stops = (await client.query("SELECT timestop FROM calls ORDER BY timestop NULLS FIRST")).rows.map((r) => r.timestop);
      assert.deepEqual(stops, [null, 1_700_000_005, 1_700_000_006]);
    });
  });

  it("selects exactly the matching rows in SQL when it claims exactness, a superset otherwise", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const records = randomRecords(7, 60);
    await store.saveCalls(records);
    await store.close();
    await onDatabase(url, async (client) => {
      const r = prng(7);
      for (let i = 0; i < 300; i++) {
        const template = randomTemplate(r, records);
        const where = templateCondition(template, postgres);
        const got = (await client.query({ text: `SELECT c.key FROM calls c WHERE ${numbered(where.sql)}`, values: [...where.params], rowMode: "array" })).rows
          .map((row) => row[0] as string)
          .sort();
        const want = records.filter((rec) => matchesRecord(template, rec)).map((rec) => rec.key).sort();
        const message = `#${i} ${JSON.stringify(template)}`;
        assert.ok(want.every((k) => got.includes(k)), `SQL dropped a match: ${message}`);
        if (where.exact) assert.deepEqual(got, want, `exact SQL selected extra rows: ${message}`);
      }
    });
  });

  it("reports a NUL character PostgreSQL cannot store as a SaveError, and keeps working", async () => {
    const store = new Sql({ url: await freshDatabase() });
    await assert.rejects(async () => store.saveCall(sampleRecord(1, { metadata: { tags: { bad: "a\u0000b" } } })), SaveError);
    await assert.rejects(async () => store.saveCall(sampleRecord(3, { version: Infinity })), SaveError);
    await store.saveCall(sampleRecord(2));
    assert.ok(await store.containsCall(sampleRecord(2).key));
    assert.equal(await store.containsCall(sampleRecord(1).key), false);
    await store.close();
  });

  it("leaves the password out of its config", async () => {
    const store = new Sql({ url: "postgresql://me:pw@db.example:5432/cache?sslmode=require" });
    assert.deepEqual(store.toConfig(), { type: "sql", url: "postgresql://me@db.example:5432/cache?sslmode=require" });
    assert.equal(store.url, "postgresql://me:***@db.example:5432/cache?sslmode=require");
    await store.close();
  });

  it("runs calls uncached with one warning when the server cannot be reached", async () => {
    const store = new Sql({ url: "postgres://postgres@127.0.0.1:9/nowhere" }); // port 9: nothing listens
    const c = new Cache({ values: new Memory(), calls: store });
    let runs = 0;
    const f = fleche((x: number) => (runs++, x + 1), { name: "inc" });
    const logs = captureLogs();
    try {
      await assert.rejects(store.ready(), StoreUnavailable);
      for (let i = 0; i < 5; i++) assert.equal(await withCache(c, () => f(1)), 2);
    } finally {
      logs.restore();
    }
    assert.equal(runs, 5);
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
    assert.match(logs.warn[0]!, /cannot reach the server.*calls run uncached until it is back/);
    await store.close();
  });
});
