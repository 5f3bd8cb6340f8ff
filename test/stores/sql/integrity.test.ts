/**
 * Integrity of SQL call records, on a SQLite file and a real PostgreSQL server: rows edited behind the
 * store's back (with another connection, as a tool or a damaged page would) are misses with a warning,
 * never wrong values; `verify` reports them and, repairing, removes them; a schema-2 database gets its
 * checksums when upgraded.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Cache, Memory, Sql, digest, fleche, withCache } from "../../../src/index.js";
import { numbered } from "../../../src/stores/sql/dialect.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { sampleRecord } from "../../../src/testing/call-store.js";
import type { CallRecord } from "../../../src/call-record.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { captureLogs } from "../../helpers/logs.js";
import { postgresSchema5, sqliteSchema5 } from "./schema-5.js";

after(dropDatabases);

const dir = mkdtempSync(join(tmpdir(), "fleche-sql-integrity-"));
let n = 0;

interface Target {
  readonly kind: string;
  make(): Promise<Sql>;
  /** Run SQL (with `?` placeholders) on the store's database through a connection of its own. */
  exec(store: Sql, sql: string, params?: readonly unknown[]): Promise<void>;
  /** A schema-5 database holding `records` (`schema-5.ts`), and a closed store naming it (for its location). */
  schema5(records: readonly CallRecord[]): Promise<Sql>;
}

/** A store closed before use: only its location is read. */
async function closed(store: Sql): Promise<Sql> {
  await store.close();
  return store;
}

const targets: Target[] = [
  {
    kind: "SQLite",
    make: async () => new Sql({ url: join(dir, `calls-${n++}.db`) }),
    schema5: async (records) => {
      const path = join(dir, `calls-${n++}.db`);
      sqliteSchema5(path, records);
      return closed(new Sql({ url: path, readOnly: true }));
    },
    exec: async (store, sql, params = []) => {
      const db = new Database(store.location.kind === "sqlite" ? store.location.path : "");
      try {
        db.prepare(sql).run(...params);
      } finally {
        db.close();
      }
    },
  },
  {
    kind: "PostgreSQL",
    make: async () => new Sql({ url: await freshDatabase() }),
    schema5: async (records) => {
      const url = await freshDatabase();
      await postgresSchema5(url, records);
      return closed(new Sql({ url }));
    },
    exec: (store, sql, params = []) => onDatabase(store.location.url, async (client) => void (await client.query(numbered(sql), [...params]))),
  },
];

for (const target of targets) {
  describe(`Sql integrity on ${target.kind}`, () => {
    it("serves an edited inline result never: a miss with a warning, recomputed, the row replaced", async () => {
      const store = await target.make();
      const c = new Cache({ values: new Memory(), calls: store });
      let runs = 0;
      const f = fleche((x: number) => (runs++, x * 2), { name: "double" });
      assert.equal(await withCache(c, () => f(21)), 42);
      assert.equal(await withCache(c, () => f(21)), 42, "a warm hit: the store remembers the texts it verified");
      assert.equal(runs, 1);
      const key = (await c.callKeys())[0]!;
      // Same shape, same digests, another value: only the checksum can tell (remembered texts do not match now).
      await target.exec(store, "UPDATE calls SET inline = ? WHERE key = ?", [JSON.stringify([[digest(21), 21], [digest(42), 43]]), key]);
      const logs = captureLogs();
      try {
        assert.equal(await withCache(c, () => f(21)), 42, "recomputed, never 43");
      } finally {
        logs.restore();
      }
      assert.equal(runs, 2);
      assert.equal(logs.warn.filter((w) => w.includes(key) && /checksum does not match/.test(w)).length, 1, logs.warn.join("\n"));
      assert.deepEqual((await store.loadCall(key))?.inline, [[digest(21), 21], [digest(42), 42]], "the save replaced the damaged row");
      assert.equal(await withCache(c, () => f(21)), 42);
      assert.equal(runs, 2, "a hit again");
      await store.close();
    });

    it("never follows an edited result digest to another stored value", async () => {
      const store = await target.make();
      const values = new Memory();
      const c = new Cache({ values, calls: store });
      const long = (s: string) => s.repeat(300); // longer than inline strings: kept in the value store
      let runs = 0;
      const echo = fleche((s: string) => (runs++, long(s)), { name: "echo" });
      await withCache(c, () => echo("a"));
      await withCache(c, () => echo("b"));
      const [ka, kb] = [(await store.loadResult(await keyOf(c, "a")))!, (await store.loadResult(await keyOf(c, "b")))!];
      await target.exec(store, "UPDATE calls SET result = ? WHERE key = ?", [kb.result, await keyOf(c, "a")]);
      const logs = captureLogs();
      try {
        assert.equal(await withCache(c, () => echo("a")), long("a"));
      } finally {
        logs.restore();
      }
      assert.equal(runs, 3);
      assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
      assert.equal((await store.loadResult(await keyOf(c, "a")))?.result, ka.result);
      await store.close();
    });

    it("reports an edited record (metadata, identity) as a miss to loads and queries; hits still serve the intact result", async () => {
      const store = await target.make();
      const records = [sampleRecord(1), sampleRecord(2), sampleRecord(3)];
      await store.saveCalls(records);
      const edited = records[1]!.key;
      const setTags = target.kind === "SQLite" ? "json_set(metadata, '$.tags', json(?))" : "jsonb_set(metadata, '{tags}', ?::jsonb)";
      await target.exec(store, `UPDATE calls SET metadata = ${setTags} WHERE key = ?`, [JSON.stringify({ project: "gamma", run: 2 }), edited]);
      await target.exec(store, "UPDATE calls SET name = 'renamed' WHERE key = ?", [records[2]!.key]);
      const logs = captureLogs();
      try {
        assert.equal(await store.loadCall(edited), undefined);
        const c = new Cache({ values: new Memory(), calls: store });
        assert.deepEqual((await c.query({ metadata: { tags: {} } }).toArray()).map((call) => call.key), [records[0]!.key]);
        assert.equal(await c.query({ name: "renamed" }).count(), 0);
        assert.deepEqual(await store.loadResult(edited), { result: records[1]!.result }, "the part a hit reads is intact");
      } finally {
        logs.restore();
      }
      assert.ok(logs.warn.some((w) => w.includes(edited) && /checksum does not match/.test(w)), logs.warn.join("\n"));
      assert.ok(logs.warn.some((w) => w.includes(records[2]!.key)), logs.warn.join("\n"));
      await store.close();
    });

    it("verify reports damaged and unreadable rows without touching them, and removes only those when repairing", async () => {
      const store = await target.make();
      const records = Array.from({ length: 30 }, (_, i) => sampleRecord(i));
      await store.saveCalls(records);
      const [a, b, d] = [records[3]!, records[6]!, records[9]!];
      await target.exec(store, "UPDATE calls SET inline = ? WHERE key = ?", [JSON.stringify([[digest(3), 4]]), a.key]);
      const otherX = Object.entries(b.arguments).map(([name, value]) => [name, name === "x" ? digest("other") : value]);
      await target.exec(store, `UPDATE calls SET arguments = ${target.kind === "SQLite" ? "?" : "?::jsonb"} WHERE key = ?`, [JSON.stringify(otherX), b.key]);
      await target.exec(store, "UPDATE calls SET inline = ? WHERE key = ?", ["{not json", d.key]);
      const progress: number[] = [];
      const report = await store.verify({ onProgress: (done) => progress.push(done) });
      assert.equal(report.checked, 30);
      assert.equal(report.removed, 0);
      assert.deepEqual(report.problems.map((p) => p.key).sort(), [a.key, b.key, d.key].sort());
      for (const p of report.problems) assert.match(p.problem, /checksum|JSON/);
      assert.equal(progress.at(-1), 30);
      assert.ok(await store.containsCall(a.key), "nothing removed without repair");

      const repaired = await store.verify({ repair: true });
      assert.equal(repaired.problems.length, 3);
      assert.equal(repaired.removed, 3);
      for (const r of [a, b, d]) assert.equal(await store.containsCall(r.key), false);
      for (const r of records.filter((x) => ![a, b, d].includes(x))) assert.deepEqual(await store.loadCall(r.key), r);
      assert.deepEqual(await store.verify(), { checked: 27, problems: [], removed: 0 });
      await store.close();
    });

    it("upgrades a schema-2 database, computing the checksums of the rows present", async () => {
      const records = [sampleRecord(4), sampleRecord(5), sampleRecord(6)];
      const store = await target.schema5(records);
      // Back to schema 2: the checksum columns as they were not, no value or lease tables, and one row
      // already unreadable.
      for (const sql of [
        "DROP TABLE value_entries",
        "DROP TABLE leases",
        "ALTER TABLE calls DROP COLUMN result_check",
        "ALTER TABLE calls DROP COLUMN record_check",
        "UPDATE fleche_schema SET version = 2",
        "UPDATE calls SET inline = '{broken' WHERE key = ?",
      ]) {
        await target.exec(store, sql, sql.includes("?") ? [records[2]!.key] : []);
      }
      const again = new Sql({ url: store.location.url });
      await again.ready();
      assert.equal((await again.info()).schemaVersion, SCHEMA_VERSION);
      for (const r of records.slice(0, 2)) assert.deepEqual(await again.loadCall(r.key), r);
      const logs = captureLogs();
      try {
        assert.equal(await again.loadResult(records[2]!.key), undefined, "unreadable before, unreadable after");
      } finally {
        logs.restore();
      }
      const report = await again.verify();
      assert.deepEqual(report.problems.map((p) => p.key), [records[2]!.key]);
      await again.close();
    });

    it("recomputes the checksums of a schema-3 database (written by a development build)", async () => {
      const records = [sampleRecord(3), sampleRecord(9)]; // with inline values
      const store = await target.schema5(records);
      // Version 3 hashed other texts: its checksums do not match what this fleche computes.
      await target.exec(store, "UPDATE calls SET record_check = 12345, result_check = 678");
      await target.exec(store, "DROP TABLE value_entries");
      await target.exec(store, "DROP TABLE leases");
      await target.exec(store, "UPDATE fleche_schema SET version = 3");
      const again = new Sql({ url: store.location.url });
      for (const r of records) assert.deepEqual(await again.loadCall(r.key), r);
      assert.deepEqual(await again.loadResult(records[0]!.key), { result: records[0]!.result, inline: records[0]!.inline });
      assert.equal((await again.info()).schemaVersion, SCHEMA_VERSION);
      assert.deepEqual(await again.verify(), { checked: 2, problems: [], removed: 0 });
      await again.close();
    });
  });
}

async function keyOf(c: Cache, arg: string): Promise<string> {
  for await (const call of c.query({ name: "echo", args: { s: arg } })) return call.key;
  throw new Error(`no call echo(${arg})`);
}
