/**
 * Schema 5 → 6: a database written by schema 5 (records as `calls`, `arguments` and `metadata` rows) is
 * upgraded in place when opened: each record moves into its `calls` row, the argument index is rebuilt
 * and the old tables are dropped. Records read back equal (their checksums unchanged and valid), queries
 * by argument (whole digests and prefixes) and by metadata find what they found, wall times are in
 * their column for the statistics, and deletes remove the index rows. A database newer than 6 is refused untouched.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Cache, ConfigError, D, Memory, Sql, digest, type CallRecord } from "../../../src/index.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { sampleRecord } from "../../../src/testing/call-store.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { tempDirs } from "../../helpers/temp.js";
import { postgresSchema5, sqliteSchema5 } from "./schema-5.js";

after(dropDatabases);

const temp = tempDirs("sql-upgrade-6");
const dir = () => {
  const made = temp();
  mkdirSync(made, { recursive: true });
  return made;
};
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Records of every shape the upgrade must carry: arguments out of name order, none at all, odd names. */
function records(kind: "sqlite" | "postgres"): CallRecord[] {
  const odd = kind === "sqlite" ? "n\u0000ul" : "sp ace"; // SQLite keeps NUL in names; PostgreSQL cannot
  return [
    ...Array.from({ length: 6 }, (_, i) => sampleRecord(i)),
    sampleRecord(10, { arguments: { z: digest("z"), a: digest("a"), m: digest("m") }, metadata: { tags: { project: "gamma" } } }),
    sampleRecord(11, { arguments: {}, metadata: {} }),
    sampleRecord(12, { arguments: { [odd]: digest("odd"), "0": digest(0) }, metadata: { [odd]: { here: true }, n: { x: null } } }),
  ];
}

const TABLES_SQLITE = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
const TABLES_PG = "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1";
const INDEX_ROWS = "SELECT name, value, call_key FROM arguments ORDER BY name, value, call_key";

/** The argument index rows of `records`, as their order by (name, value, call_key) gives them. */
function indexRows(list: readonly CallRecord[]): string[][] {
  const rows = list.flatMap((r) => Object.entries(r.arguments).map(([name, value]) => [name, value, r.key]));
  const bytes = (row: string[]) => Buffer.from(row.join("\u0001"));
  return rows.sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
}

/** What a schema-6 store must answer about `saved` right after the upgrade. */
async function checkUpgraded(store: Sql, saved: readonly CallRecord[]): Promise<void> {
  assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
  for (const r of saved) assert.deepEqual(await store.loadCall(r.key), r);
  for (const r of saved) {
    const loaded = await store.loadCall(r.key);
    assert.deepEqual(Object.keys(loaded!.arguments), Object.keys(r.arguments), "arguments keep their order");
  }
  assert.deepEqual(await store.verify(), { checked: saved.length, problems: [], removed: 0 }, "the checksums still match");
  const c = new Cache({ values: new Memory(), calls: store });
  // Argument filters name digests (`D`): a plain value would be digested first.
  const keys = async (template: Parameters<Cache["query"]>[0]) => (await c.query(template).toArray()).map((r) => r.key).sort();
  const expected = (keep: (r: CallRecord) => boolean) => saved.filter(keep).map((r) => r.key).sort();
  assert.deepEqual(await keys({ args: { y: D(digest(1)) } }), expected((r) => r.arguments.y === digest(1)));
  assert.deepEqual(await keys({ args: { x: D(digest(3).slice(0, 10)) } }), expected((r) => r.arguments.x === digest(3)));
  assert.deepEqual(await keys({ args: { m: D(digest("m")) } }), expected((r) => r.arguments.m === digest("m")));
  const odd = Object.keys(saved.at(-1)!.arguments).find((name) => name !== "0")!;
  assert.deepEqual(await keys({ args: { [odd]: D(digest("odd")) } }), [saved.at(-1)!.key]);
  assert.deepEqual(await keys({ metadata: { tags: { project: "beta" } } }), expected((r) => r.metadata.tags?.project === "beta"));
  assert.deepEqual(await keys({ metadata: { tags: { $exists: false } } }), expected((r) => r.metadata.tags === undefined));
  assert.deepEqual(await keys({ metadata: { [odd]: { here: true } } }), [saved.at(-1)!.key]);
  assert.deepEqual(await keys({ metadata: { n: { x: null } } }), [saved.at(-1)!.key]);
  assert.deepEqual(await keys({ metadata: { runtime: { timestop: { $gte: 1_700_000_003 } } } }), expected((r) => Number(r.metadata.runtime?.timestop) >= 1_700_000_003));
  assert.equal((await c.query().latest()).key, sampleRecord(5).key, "the newest record with runtime metadata");
  // Wall times were copied into their column: the statistics read them from there.
  const tallies = await store.catalog.tallies();
  const timed = saved.filter((r) => typeof r.metadata.runtime?.walltime === "number");
  assert.ok(timed.length > 0);
  assert.equal(tallies.reduce((n, t) => n + t.timed, 0), timed.length, "every wall time is counted");
  const wallSum = (list: readonly { walltime?: unknown }[]) => list.reduce((sum, x) => sum + Number(x.walltime), 0);
  assert.ok(Math.abs(tallies.reduce((sum, t) => sum + t.totalRuntime, 0) - wallSum(timed.map((r) => r.metadata.runtime!))) < 1e-9);
  // Deletes take their index rows with them; saves add theirs.
  await store.evictCall(saved[1]!.key);
  await store.saveCall(sampleRecord(20));
}

describe("upgrading schema 5 to 6", () => {
  it("SQLite: records move into their calls rows, queries and deletes work", async () => {
    const path = join(dir(), "v5.db");
    const saved = records("sqlite");
    sqliteSchema5(path, saved);
    const store = new Sql({ url: path });
    // The upgrade's transaction was checkpointed into the database at once: reads never search a WAL
    // that holds every row twice.
    assert.equal((await store.info()).schemaVersion, SCHEMA_VERSION);
    assert.equal(statSync(`${path}-wal`).size, 0, "the WAL is empty after the upgrade");
    await checkUpgraded(store, saved);
    await store.close();
    const db = new Database(path, { readonly: true });
    assert.deepEqual(db.prepare(TABLES_SQLITE).pluck().all(), ["arguments", "calls", "fleche_schema", "leases", "value_entries"]);
    const now = [...saved.filter((r) => r.key !== saved[1]!.key), sampleRecord(20)];
    assert.deepEqual(db.prepare(INDEX_ROWS).raw().all(), indexRows(now));
    assert.deepEqual(JSON.parse(db.prepare("SELECT arguments FROM calls WHERE key = ?").pluck().get(saved[6]!.key) as string), [
      ["z", digest("z")],
      ["a", digest("a")],
      ["m", digest("m")],
    ]);
    db.close();
  });

  it("PostgreSQL: records move into their calls rows, queries and deletes work (several openers upgrade once)", async () => {
    const url = await freshDatabase();
    const saved = records("postgres");
    await postgresSchema5(url, saved);
    const stores = [new Sql({ url }), new Sql({ url }), new Sql({ url })];
    await Promise.all(stores.map((s) => s.ready()));
    await checkUpgraded(stores[0]!, saved);
    for (const s of stores) await s.close();
    await onDatabase(url, async (client) => {
      assert.deepEqual((await client.query(TABLES_PG)).rows.map((r) => r.name), ["arguments", "calls", "fleche_schema", "leases", "value_entries"]);
      const now = [...saved.filter((r) => r.key !== saved[1]!.key), sampleRecord(20)];
      assert.deepEqual((await client.query({ text: INDEX_ROWS, rowMode: "array" })).rows, indexRows(now));
      const args = (await client.query("SELECT arguments FROM calls WHERE key = $1", [saved[6]!.key])).rows[0]?.arguments;
      assert.deepEqual(args, [["z", digest("z")], ["a", digest("a")], ["m", digest("m")]]);
    });
  });

  it("SQLite: a database newer than 6 is refused untouched", async () => {
    const path = join(dir(), "v7.db");
    await new Sql({ url: path }).close();
    const db = new Database(path);
    db.exec(`UPDATE fleche_schema SET version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha(path);
    assert.throws(() => new Sql({ url: path }), (e: unknown) => e instanceof ConfigError && /schema version 7, newer than this fleche understands \(6\)/.test(e.message));
    assert.equal(sha(path), before);
  });

  it("PostgreSQL: a database newer than 6 is refused untouched", async () => {
    const url = await freshDatabase();
    const writer = new Sql({ url });
    await writer.saveCall(sampleRecord(1));
    await writer.close();
    const snapshot = (client: import("pg").Client) =>
      client.query("SELECT (SELECT version FROM fleche_schema) AS version, (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM arguments) AS args, (SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = current_schema()) AS tables");
    const before = await onDatabase(url, async (client) => {
      await client.query(`UPDATE fleche_schema SET version = ${SCHEMA_VERSION + 1}`);
      return (await snapshot(client)).rows[0];
    });
    const store = new Sql({ url });
    await assert.rejects(store.ready(), (e: unknown) => e instanceof ConfigError && /schema version 7, newer than this fleche understands \(6\)/.test(e.message));
    await store.close();
    assert.deepEqual(await onDatabase(url, async (client) => (await snapshot(client)).rows[0]), before);
  });
});
