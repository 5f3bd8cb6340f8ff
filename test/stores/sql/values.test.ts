/**
 * `Sql` as a value store (schema 5): both conformance suites on SQLite files, SQLite :memory: and
 * PostgreSQL; one object (and one TOML `type = "sql"` on both sides) serving both roles; the rows are
 * FileStore's envelope bytes; damaged rows are misses, found by `verify`; read-only databases.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Cache, CacheMiss, FileStore, SaveError, Sql, cacheFromConfig, digest, fleche, withCache } from "../../../src/index.js";
import { valueStoreSuite } from "../../../src/testing/value-store.js";
import { callStoreSuite, sampleRecord } from "../../../src/testing/call-store.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { captureLogs } from "../../helpers/logs.js";
import { tempDirs } from "../../helpers/temp.js";

after(dropDatabases);

const dir = tempDirs("sql-values");
const KEY = "7f".repeat(32);
const sqliteFile = () => `sqlite:///${join(dir(), "cache.db")}`;
const reopen = (store: unknown) => new Sql({ url: (store as Sql).location.url });

valueStoreSuite({ name: "Sql values (SQLite file)", make: () => new Sql({ url: sqliteFile() }), reopen, touches: true });
valueStoreSuite({ name: "Sql values (SQLite :memory:)", make: () => new Sql({ url: ":memory:" }), touches: true });
valueStoreSuite({ name: "Sql values (PostgreSQL)", make: async () => new Sql({ url: await freshDatabase() }), reopen, touches: true });
valueStoreSuite({
  name: "Sql values (SQLite file, json + gzip, signed, every part split)",
  make: () => new Sql({ url: sqliteFile(), serializer: "json", compress: "gzip", secretKey: KEY, minPartSize: 0 }),
  reopen: (store) => new Sql({ url: (store as Sql).location.url, serializer: "json", compress: "gzip", secretKey: KEY, minPartSize: 0 }),
  touches: true,
  secrets: { secret_key: KEY },
});
valueStoreSuite({
  name: "Sql values (PostgreSQL, msgpack + brotli, parts of 1 KiB split)",
  make: async () => new Sql({ url: await freshDatabase(), serializer: "msgpack", compress: "brotli", minPartSize: 1024 }),
  reopen: (store) => new Sql({ url: (store as Sql).location.url, serializer: "msgpack", compress: "brotli", minPartSize: 1024 }),
  touches: true,
});
// The call suites on stores that also hold values (the call-only suites run in sqlite.test.ts and postgres.test.ts).
callStoreSuite({ name: "Sql holding values too (SQLite file)", make: () => new Sql({ url: sqliteFile() }), reopen });
callStoreSuite({ name: "Sql holding values too (SQLite :memory:)", make: () => new Sql({ url: ":memory:" }) });
callStoreSuite({ name: "Sql holding values too (PostgreSQL)", make: async () => new Sql({ url: await freshDatabase() }), reopen });

const sample = { name: "sweep", weights: new Float64Array(20_000).map((_, i) => i / 7), tags: ["a", "b"] };

async function bothKinds(): Promise<[string, () => Promise<string>][]> {
  return [
    ["SQLite", async () => sqliteFile()],
    ["PostgreSQL", () => freshDatabase()],
  ];
}

describe("Sql serving both roles", async () => {
  for (const [kind, url] of await bothKinds()) {
    it(`${kind}: one object holds the values and the records of a cache; a second process's store hits them`, async () => {
      const where = await url();
      const store = new Sql({ url: where });
      const cache = new Cache({ values: store, calls: store });
      let runs = 0;
      const big = fleche((n: number) => (runs++, { n, data: new Float64Array(50_000).fill(n) }), { name: "big", version: 1 });
      const first = await withCache(cache, () => big(3));
      assert.equal(runs, 1);
      assert.ok((await store.containsValue(digest(first))) === true, "the result is a value row");
      const again = new Sql({ url: where });
      const second = await withCache(new Cache({ values: again, calls: again }), () => big(3));
      assert.equal(runs, 1, "the second store hits");
      assert.deepEqual(second, first);
      await store.close();
      await again.close();
    });

    it(`${kind}: a hit reads its value with its record, and a value evicted since is a miss (recomputed)`, async () => {
      const where = await url();
      const calls = new Sql({ url: where });
      const values = new Sql({ url: where });
      for (const cache of [new Cache({ values: calls, calls }), new Cache({ values, calls })]) {
        let runs = 0;
        const f = fleche((n: number) => (runs++, { n, pad: "p".repeat(1000) }), { name: `pad-${runs}-${cache.values === calls}`, version: 1 });
        const first = await withCache(cache, () => f(1));
        assert.deepEqual(await withCache(cache, () => f(1)), first);
        assert.equal(runs, 1);
        await cache.values.evictValue(digest(first));
        assert.deepEqual(await withCache(cache, () => f(1)), first);
        assert.equal(runs, 2, "the evicted result is recomputed, not served from the row read with the record");
      }
      await calls.close();
      await values.close();
    });

    it(`${kind}: \`type = "sql"\` on both sides of a config builds a working cache`, async () => {
      const where = await url();
      const cache = cacheFromConfig({ values: { type: "sql", url: where, compress: "gzip" }, calls: { type: "sql", url: where } }) as Cache;
      let runs = 0;
      const f = fleche((s: string) => (runs++, s.repeat(5000)), { name: "rep", version: 1 });
      assert.equal(await withCache(cache, () => f("ab")), "ab".repeat(5000));
      assert.equal(await withCache(cache, () => f("ab")), "ab".repeat(5000));
      assert.equal(runs, 1);
      const values = cache.values as Sql;
      assert.equal(values.type, "sql");
      assert.deepEqual(values.toConfig(), { type: "sql", url: where.startsWith("postgres") ? where : values.location.url, compress: "gzip" });
      const listed: string[] = [];
      for await (const key of values.listValues()) listed.push(key);
      assert.ok(listed.includes(digest("ab".repeat(5000))), "the result is stored in the values table");
      await (cache.values as Sql).close();
      await (cache.calls as Sql).close();
    });
  }
});

describe("Sql value rows are FileStore's bytes", async () => {
  for (const [kind, url] of await bothKinds()) {
    it(`${kind}: equal keys, parts and bytes; entries copy as bytes both ways`, async () => {
      const files = new FileStore({ root: dir(), minPartSize: 1024, compress: "gzip" });
      const sql = new Sql({ url: await url(), minPartSize: 1024, compress: "gzip" });
      const key = await files.saveValue(sample);
      assert.equal(await sql.saveValue(sample), key);
      const parts = await files.childDigests(key);
      assert.ok(parts.length > 0, "split into parts");
      assert.deepEqual(await sql.childDigests(key), parts);
      for (const k of [key, ...parts]) assert.deepEqual(Buffer.from(await sql.rawEntries.read(k)), Buffer.from(await files.rawEntries.read(k)));

      const other = { ...sample, name: "copied" };
      const otherKey = await files.saveValue(other);
      for (const k of [...(await files.childDigests(otherKey)), otherKey]) assert.equal(await sql.rawEntries.write(k, await files.rawEntries.read(k)), true);
      assert.deepEqual(await sql.loadValue(otherKey), other);
      const back = new FileStore({ root: dir() });
      for (const k of [...(await sql.childDigests(otherKey)), otherKey]) assert.equal(await back.rawEntries.write(k, await sql.rawEntries.read(k)), true);
      assert.deepEqual(await back.loadValue(otherKey), other);

      const damaged = Buffer.from(await files.rawEntries.read(key));
      damaged[damaged.length - 1]! ^= 0xff;
      const fresh = new Sql({ url: await url() });
      assert.equal(await fresh.rawEntries.write(key, damaged), false, "damaged bytes are refused");
      assert.equal(await fresh.containsValue(key), false);
      await assert.rejects(async () => fresh.rawEntries.read(key), CacheMiss);
      const signed = new Sql({ url: await url(), secretKey: KEY });
      assert.equal(await signed.rawEntries.write(otherKey, await sql.rawEntries.read(otherKey)), false, "an unsigned entry is refused by a signed store");
      for (const s of [sql, fresh, signed]) await s.close();
    });
  }
});

describe("Sql damaged value rows", async () => {
  for (const [kind, url] of await bothKinds()) {
    it(`${kind}: a damaged row is a miss with a warning and is removed; childDigests reads the column only`, async () => {
      const where = await url();
      const store = new Sql({ url: where, minPartSize: 1024 });
      const key = await store.saveValue(sample);
      const parts = await store.childDigests(key);
      await corrupt(where, key);
      assert.deepEqual(await store.childDigests(key), parts, "children come from their column, the body is not read");
      const logs = captureLogs();
      try {
        await assert.rejects(async () => store.loadValue(key), (e: unknown) => e instanceof CacheMiss && /unusable/.test(e.message));
      } finally {
        logs.restore();
      }
      assert.match(logs.warn.join("\n"), new RegExp(`ignoring value ${key}: .*removed and will be recomputed`));
      assert.equal(await store.containsValue(key), false);
      assert.equal(await store.saveValue(sample), key, "saved again");
      assert.deepEqual(await store.loadValue(key), sample);
      await store.close();
    });

    it(`${kind}: verify reports damaged rows and missing parts, repair removes them, deep re-hashes`, async () => {
      const where = await url();
      const store = new Sql({ url: where, minPartSize: 1024 });
      const key = await store.saveValue(sample);
      const [part] = await store.childDigests(key);
      const whole = await store.saveValue("a whole value");
      await store.saveCall(sampleRecord(1));
      assert.deepEqual((await store.verify({ deep: true })).problems, []);
      await store.evictValue(part!);
      await corrupt(where, whole);
      const report = await store.verify();
      assert.equal(report.checked, 1 + 2, "one record and the two value rows left");
      assert.deepEqual(report.problems.map((p) => p.key).sort(), [key, whole].sort());
      assert.match(report.problems.find((p) => p.key === key)!.problem, /is missing/);
      assert.equal(report.removed, 0);
      await setChildren(where, key, "");
      assert.match((await store.verify()).problems.find((p) => p.key === key)!.problem, /children column does not match/);
      const repaired = await store.verify({ repair: true });
      assert.equal(repaired.removed, 2);
      assert.deepEqual((await store.verify()).problems, []);
      assert.ok(await store.loadCall(sampleRecord(1).key), "records are kept");
      await store.close();
    });
  }
});

/** Overwrite the `children` column of a value row. */
async function setChildren(url: string, key: string, children: string): Promise<void> {
  if (url.startsWith("postgres")) {
    await onDatabase(url, (client) => client.query("UPDATE value_entries SET children = $2 WHERE key = $1", [key, children]));
    return;
  }
  const db = new Database(new URL(url.replace("sqlite:///", "file://")).pathname);
  db.prepare("UPDATE value_entries SET children = ? WHERE key = ?").run(children, key);
  db.close();
}

/** Flip the last byte of a value row, as a damaged page or an edit would. */
async function corrupt(url: string, key: string): Promise<void> {
  if (url.startsWith("postgres")) {
    await onDatabase(url, (client) =>
      client.query("UPDATE value_entries SET body = overlay(body PLACING decode(lpad(to_hex(255 - get_byte(body, length(body) - 1)), 2, '0'), 'hex') FROM length(body)) WHERE key = $1", [key]),
    );
    return;
  }
  const db = new Database(new URL(url.replace("sqlite:///", "file://")).pathname);
  const body = db.prepare("SELECT body FROM value_entries WHERE key = ?").pluck().get(key) as Buffer;
  body[body.length - 1]! ^= 0xff;
  db.prepare("UPDATE value_entries SET body = ? WHERE key = ?").run(body, key);
  db.close();
}

describe("Sql value options", () => {
  it("writes its value settings to its config, never the keys (`signed` instead), and rejects bad ones naming them", async () => {
    const store = new Sql({ serializer: "json", compress: true, secretKey: KEY, remainingDepth: 2, minPartSize: "1KiB" });
    assert.deepEqual(store.toConfig(), { type: "sql", url: ":memory:", serializer: "json", compress: "gzip", remaining_depth: 2, min_part_size: 1024, signed: true });
    assert.doesNotMatch(JSON.stringify(store.toConfig()), /7f7f/);
    assert.match(String((await import("node:util")).inspect(store)), /signed: 1 key \(redacted\)/);
    assert.throws(() => new Sql({ compress: "lz4" as never }), /`compress` must be false, true or one of/);
    assert.throws(() => new Sql({ serializer: "yaml" as never }), /serializer/);
    assert.throws(() => new Sql({ secretKey: "xyz" }), /secretKey.*not valid hex/);
    assert.throws(() => new Sql({ minPart: 1 } as never), /minPart/);
    assert.throws(
      () => cacheFromConfig({ values: { type: "sql", signed: true }, calls: { type: "memory" } }),
      /this 'sql' store is signed, but no key is given/,
    );
    await store.close();
  });

  it("refuses an entry over 256 MiB with a SaveError before reading its bytes", async () => {
    const store = new Sql();
    // Zero-filled pages the test never touches: no memory is used, the size is checked first.
    const huge = new Uint8Array(256 * 1024 * 1024 + 1);
    await assert.rejects(async () => store.saveValue(huge), (e: unknown) => e instanceof SaveError && /at most 268,435,456 bytes \(256 MiB/.test(e.message));
    await store.close();
  });

  it("a read-only SQLite database serves values, refuses saves and offers no leases", async () => {
    const url = sqliteFile();
    const writer = new Sql({ url });
    const key = await writer.saveValue({ kept: [1, 2, 3] });
    assert.ok(writer.leases, "a writable database has leases");
    await writer.close();
    const reader = new Sql({ url, readOnly: true });
    assert.deepEqual(reader.loadValue(key), { kept: [1, 2, 3] });
    assert.equal(reader.leases, undefined);
    assert.throws(() => reader.saveValue({ other: 1 }), (e: unknown) => e instanceof SaveError && /read-only/.test(e.message));
    assert.throws(() => reader.evictValue(key), /read-only/);
    await reader.close();
  });
});
