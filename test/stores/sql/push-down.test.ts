/**
 * Push-down with the characters that break naive SQL (see `odd-templates.ts`), on SQLite and on a real
 * PostgreSQL server: the SQL condition must select every record `matchesRecord` accepts (exactly those
 * when it claims exactness), the store's answers must equal the matcher's, no filter may surface a raw
 * driver error, and a record the database cannot keep exactly is refused at save naming its field.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import Database from "better-sqlite3";
import { Cache, Memory, SaveError, Sql } from "../../../src/index.js";
import { matchesRecord, type RecordTemplate } from "../../../src/query/template.js";
import { numbered, postgres, sqlite, type Dialect } from "../../../src/stores/sql/dialect.js";
import { postgresText, sqliteText, unstorableField, type TextRules } from "../../../src/stores/sql/text.js";
import { templateCondition } from "../../../src/stores/sql/where.js";
import { sampleRecord } from "../../../src/testing/call-store.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { oddRecords, oddTemplate, prng } from "./odd-templates.js";
import type { CallRecord } from "../../../src/call-record.js";

after(dropDatabases);

const dir = mkdtempSync(join(tmpdir(), "fleche-push-down-"));
const SEED = Number(process.env.FLECHE_PROPERTY_SEED ?? 20_261_204);
const TEMPLATES = 800;
const show = (t: RecordTemplate) => inspect(t, { depth: 8, breakLength: Infinity });
const keysOf = (records: readonly CallRecord[]) => records.map((r) => r.key).sort();

interface Target {
  readonly dialect: Dialect;
  readonly rules: TextRules;
  /** A fresh store. */
  make(): Promise<Sql>;
  /** Run the WHERE condition on the store's database, outside the store. */
  select(store: Sql, sql: string, params: readonly unknown[]): Promise<string[]>;
}

const targets: Target[] = [
  {
    dialect: sqlite,
    rules: sqliteText,
    make: async () => new Sql({ url: join(dir, `odd-${Math.random().toString(36).slice(2)}.db`) }),
    select: async (store, sql, params) => {
      const db = new Database(store.location.kind === "sqlite" ? store.location.path : "", { readonly: true });
      try {
        return db.prepare(`SELECT c.key FROM calls c WHERE ${sql}`).pluck().all(...params) as string[];
      } finally {
        db.close();
      }
    },
  },
  {
    dialect: postgres,
    rules: postgresText,
    make: async () => new Sql({ url: await freshDatabase() }),
    select: (store, sql, params) =>
      onDatabase(store.location.url, async (client) => {
        const result = await client.query({ text: `SELECT c.key FROM calls c WHERE ${numbered(sql)}`, values: [...params], rowMode: "array" });
        return result.rows.map((row) => row[0] as string);
      }),
  },
];

for (const target of targets) {
  const kind = target.dialect.name === "sqlite" ? "SQLite" : "PostgreSQL";

  describe(`Push-down of odd characters on ${kind}`, () => {
    it("stores what it can keep exactly and refuses the rest at save, naming the field", async () => {
      const store = await target.make();
      const records = oddRecords(SEED, 120, target.rules, 0.2);
      const refused = records.filter((r) => unstorableField(r, target.rules) !== undefined);
      assert.ok(refused.length > 0 && refused.length < records.length / 2, `${refused.length} of ${records.length} refused`);
      for (const record of records) {
        const field = unstorableField(record, target.rules);
        if (field === undefined) {
          await store.saveCall(record);
          assert.deepEqual(await store.loadCall(record.key), record, "read back exactly");
        } else {
          await assert.rejects(async () => store.saveCall(record), (e: unknown) => {
            assert.ok(e instanceof SaveError, String(e));
            assert.ok(e.message.includes(record.key) && e.message.includes(field), e.message);
            return true;
          });
          assert.equal(await store.containsCall(record.key), false);
        }
      }
      await store.close();
    });

    it(`selects a superset of the matcher's records in SQL, exactly them when it claims exactness (${TEMPLATES} templates)`, async (t) => {
      const store = await target.make();
      const records = oddRecords(SEED + 1, 120, target.rules).filter((r) => unstorableField(r, target.rules) === undefined);
      await store.saveCalls(records);
      const r = prng(SEED + 1);
      let exact = 0;
      let matched = 0;
      for (let i = 0; i < TEMPLATES; i++) {
        const template = oddTemplate(r, records);
        const where = templateCondition(template, target.dialect);
        const got = (await target.select(store, where.sql, where.params)).sort();
        const want = keysOf(records.filter((rec) => matchesRecord(template, rec)));
        const message = `seed ${SEED + 1} #${i} ${show(template)}`;
        assert.ok(want.every((k) => got.includes(k)), `SQL dropped a match: ${message}`);
        if (where.exact) {
          exact++;
          assert.deepEqual(got, want, `exact SQL selected extra rows: ${message}`);
        }
        if (want.length) matched++;
      }
      t.diagnostic(`${records.length} records; ${exact} of ${TEMPLATES} templates exact in SQL, ${matched} matching a record`);
      assert.ok(exact > TEMPLATES * 0.8, `${exact} of ${TEMPLATES} templates pushed down exactly`);
      assert.ok(matched > TEMPLATES * 0.2, `${matched} of ${TEMPLATES} templates matched a record`);
      await store.close();
    });

    it(`answers queries and latest()/oldest() exactly like the matcher (${TEMPLATES / 2} templates)`, async () => {
      const store = await target.make();
      const records = oddRecords(SEED + 2, 100, target.rules).filter((r) => unstorableField(r, target.rules) === undefined);
      await store.saveCalls(records);
      const cache = new Cache({ values: new Memory(), calls: store });
      const r = prng(SEED + 2);
      for (let i = 0; i < TEMPLATES / 2; i++) {
        const template = oddTemplate(r, records);
        const matching = records.filter((rec) => matchesRecord(template, rec));
        const got: string[] = [];
        for await (const record of cache.records(template)) got.push(record.key);
        assert.deepEqual(got.sort(), keysOf(matching), `seed ${SEED + 2} #${i} ${show(template)}`);
        const stops = matching.map((rec) => rec.metadata.runtime!.timestop as number);
        const latest = await store.latestCall(template, "latest");
        assert.equal(latest?.metadata.runtime?.timestop, stops.length ? Math.max(...stops) : undefined, `latest #${i} ${show(template)}`);
      }
      await store.close();
    });

    it("answers the cases from the issue: backslashes in keys, NUL in $prefix and filters, `$` namespaces", async () => {
      const store = await target.make();
      const tags: Record<string, string | number> = { "back\\slash": 1, 'q"uote': "v\\", "a.b": 2 };
      if (target.rules.json("\u0000")) tags.nul = "x\u0000y";
      const record = sampleRecord(1, { metadata: { tags, $ns: { k: "v" } } });
      await store.saveCall(record);
      const cache = new Cache({ values: new Memory(), calls: store });
      const count = (metadata: RecordTemplate["metadata"]) => cache.query({ metadata }).count();
      assert.equal(await count({ tags: { "back\\slash": 1 } }), 1);
      assert.equal(await count({ tags: { 'q"uote': { $prefix: "v\\" } } }), 1);
      assert.equal(await count({ tags: { "a.b": { $gte: 2 } } }), 1);
      assert.equal(await count({ $ns: { k: "v" } }), 1, "a namespace named `$ns` is a name");
      assert.equal(await count({ $ns: {} }), 1);
      assert.equal(await count({ $other: { $exists: false } }), 1);
      if (target.rules.json("\u0000")) {
        assert.equal(await count({ tags: { nul: { $prefix: "x\u0000" } } }), 1, "NUL in a $prefix");
        assert.equal(await count({ tags: { nul: { $prefix: "x\u0001" } } }), 0);
        assert.equal(await count({ tags: { nul: "x\u0000y" } }), 1);
        assert.equal(await count({ tags: { nul: "x" } }), 0);
      }
      // On PostgreSQL these name strings no record there can hold: no match, and no raw 22021 error.
      assert.equal(await count({ tags: { "back\\slash": "\u0000" } }), 0);
      assert.equal(await count({ tags: { "k\u0000": { $exists: false } } }), 1);
      assert.equal(await count({ tags: { 'q"uote': { $lt: "v\\\u0000" } } }), 1, "a proper prefix sorts first");
      assert.equal(await count({ tags: { 'q"uote': { $gt: "v\\\u0000" } } }), 0);
      assert.equal(await count({ tags: { 'q"uote': { $lte: "v\u0000" } } }), 0);
      assert.equal(await count({ tags: { 'q"uote': { $gt: "v\u0000" } } }), 1);
      assert.equal(await count({ "a\u0000": { $exists: false } }), 1);
      assert.equal(await cache.query({ name: "odd\u0000", metadata: { tags: {} } }).count(), 0);
      assert.equal(await cache.query({ args: { "x\u0000": 1 } }).count(), 0);
      const keys: string[] = [];
      for await (const key of store.listCalls("\u0000")) keys.push(key);
      assert.deepEqual(keys, []);
      assert.equal(await store.loadCall("a\u0000"), undefined);
      assert.equal(await store.loadResult("a\u0000"), undefined);
      assert.equal(await store.containsCall("a\u0000"), false);
      await store.evictCall("a\u0000");
      await store.close();
    });
  });
}
