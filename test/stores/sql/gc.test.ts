/**
 * Garbage collection over an `Sql` store holding values and calls (SQLite and PostgreSQL): gc follows
 * the parts from the `children` column, keeps what live calls reach, sweeps orphans through the
 * conditional `DELETE`, and spares values written within the grace period.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache, Sql, digest, fleche, withCache } from "../../../src/index.js";
import { dropDatabases, freshDatabase } from "../../helpers/postgres.js";
import { tempDirs } from "../../helpers/temp.js";

after(dropDatabases);

const dir = tempDirs("sql-gc");
const kinds: [string, () => Promise<string>][] = [
  ["SQLite", async () => `sqlite:///${join(dir(), "cache.db")}`],
  ["PostgreSQL", () => freshDatabase()],
];

for (const [kind, url] of kinds) {
  describe(`gc over Sql values (${kind})`, () => {
    it("keeps every part of live values, sweeps the parts only orphans reach", async () => {
      // minPartSize 0: every part of these small values is an entry, so gc has parts to follow.
      const store = new Sql({ url: await url(), minPartSize: 0 });
      const c = new Cache({ values: store, calls: store });
      const shared = { table: [[1, 2], [3, 4]] };
      const build = fleche(function build(tag: string, withShared: boolean) {
        return withShared ? { tag: [tag], shared, own: [tag, tag] } : { tag: [tag], own: [[tag]] };
      }, { module: `gc-sql-${kind}` });
      await withCache(c, async () => {
        await build("keep", true);
        await build("drop", true);
        await build("alone", false);
      });
      const before = await c.valueKeys();
      assert.ok(before.length > 6, `values are split into parts (${before.length} entries)`);
      assert.ok(before.includes(digest(shared)));
      await withCache(c, async () => {
        await build.query({ args: { tag: "drop" } }).evict();
        await build.query({ args: { tag: "alone" } }).evict();
      });
      const dry = await c.gc({ grace: 0, dryRun: true });
      assert.equal((await c.valueKeys()).length, before.length, "a dry run removes nothing");
      const report = await c.gc({ grace: 0 });
      assert.deepEqual(report.evicted.sort(), dry.evicted.sort());
      assert.ok(report.evicted.length >= 3);
      assert.ok(!report.evicted.includes(digest(shared)), "reachable from the live call: kept");
      assert.deepEqual(await withCache(c, () => build("keep", true)), { tag: ["keep"], shared, own: ["keep", "keep"] });
      assert.equal((await c.gc({ grace: 0 })).evicted.length, 0, "a second pass finds nothing more");
      await store.close();
    });

    it("spares values written within the grace period", async () => {
      const store = new Sql({ url: await url() });
      const c = new Cache({ values: store, calls: store });
      await c.values.saveValue({ orphan: [1, 2, 3] });
      assert.equal((await c.gc()).evicted.length, 0);
      assert.ok((await c.gc({ grace: 0 })).evicted.length > 0);
      await store.close();
    });
  });
}
