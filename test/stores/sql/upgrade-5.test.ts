/**
 * Schema 4 → 5 (→ 6): a database written before the store held values (no `value_entries`, no `leases`)
 * is upgraded in place when opened, keeps every record, and then holds values and leases. And large
 * values: a 100 MB Float64Array round-trips through SQLite and PostgreSQL.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Sql } from "../../../src/index.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { sampleRecord } from "../../../src/testing/call-store.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { tempDirs } from "../../helpers/temp.js";
import { postgresSchema5, sqliteSchema5 } from "./schema-5.js";

after(dropDatabases);

const dir = tempDirs("sql-upgrade-5");
const records = [sampleRecord(1), sampleRecord(2), sampleRecord(3, { metadata: { tags: { kept: true } } })];
const owner = { host: "here", pid: 1, token: "t" };

/**
 * Schema 4 is schema 5 without its two new tables (the call tables did not change): a schema-5 database
 * with records (`schema-5.ts`), turned back into exactly the layout and version a schema-4 fleche wrote.
 */
const TO_SCHEMA_4 = "DROP TABLE value_entries; DROP TABLE leases; UPDATE fleche_schema SET version = 4";
const TABLES_SQLITE = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
const TABLES_PG = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1";

describe("upgrading schema 4 to 5", () => {
  it("SQLite: in place, records kept, values and leases usable", async () => {
    const base = dir();
    mkdirSync(base, { recursive: true });
    const path = join(base, "v4.db");
    sqliteSchema5(path, records);
    const db = new Database(path);
    db.exec(TO_SCHEMA_4);
    assert.deepEqual(db.prepare(TABLES_SQLITE).pluck().all(), ["arguments", "calls", "fleche_schema", "metadata"]);
    db.close();

    const store = new Sql({ url: path });
    assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
    for (const r of records) assert.deepEqual(store.loadCall(r.key), r);
    const key = await store.saveValue({ after: "upgrade" });
    assert.deepEqual(store.loadValue(key), { after: "upgrade" });
    assert.deepEqual(await store.leases!.acquire(records[0]!.key, owner, 60_000), { acquired: true });
    await store.close();
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare(TABLES_SQLITE).pluck().all(), ["arguments", "calls", "fleche_schema", "leases", "value_entries"]);
    check.close();
  });

  it("PostgreSQL: in place, records kept, values and leases usable", async () => {
    const url = await freshDatabase();
    await postgresSchema5(url, records);
    await onDatabase(url, async (client) => {
      await client.query(TO_SCHEMA_4);
      assert.deepEqual((await client.query(TABLES_PG)).rows.map((r) => r.name), ["arguments", "calls", "fleche_schema", "metadata"]);
    });
    const stores = [new Sql({ url }), new Sql({ url }), new Sql({ url })];
    await Promise.all(stores.map((s) => s.ready())); // several openers at once upgrade it once
    const store = stores[0]!;
    assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
    for (const r of records) assert.deepEqual(await store.loadCall(r.key), r);
    const key = await store.saveValue({ after: "upgrade" });
    assert.deepEqual(await stores[1]!.loadValue(key), { after: "upgrade" });
    assert.deepEqual(await store.leases!.acquire(records[0]!.key, owner, 60_000), { acquired: true });
    for (const s of stores) await s.close();
    await onDatabase(url, async (client) => {
      assert.deepEqual((await client.query(TABLES_PG)).rows.map((r) => r.name), ["arguments", "calls", "fleche_schema", "leases", "value_entries"]);
    });
  });
});

describe("large values", () => {
  const big = () => new Float64Array(100 * 1024 * 1024 / 8).map((_, i) => i * 0.5);

  it("SQLite: a 100 MB Float64Array round-trips", async () => {
    const store = new Sql({ url: join(dir(), "big.db") });
    const value = big();
    const key = await store.saveValue(value);
    const again = new Sql({ url: store.location.url });
    const loaded = (await again.loadValue(key)) as Float64Array;
    assert.ok(loaded instanceof Float64Array);
    assert.equal(loaded.length, value.length);
    assert.ok(Buffer.from(loaded.buffer, loaded.byteOffset, loaded.byteLength).equals(Buffer.from(value.buffer)));
    await store.close();
    await again.close();
  });

  it("PostgreSQL: a 100 MB Float64Array round-trips (read in chunks)", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const value = big();
    const key = await store.saveValue(value);
    const again = new Sql({ url });
    const loaded = (await again.loadValue(key)) as Float64Array;
    assert.ok(loaded instanceof Float64Array);
    assert.equal(loaded.length, value.length);
    assert.ok(Buffer.from(loaded.buffer, loaded.byteOffset, loaded.byteLength).equals(Buffer.from(value.buffer)));
    assert.equal(await again.touchValue(key), true);
    await store.close();
    await again.close();
  });
});
