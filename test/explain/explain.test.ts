/**
 * `f.explain(...)` over real caches (FileStore values with FileStore, SQLite or PostgreSQL records): one
 * case per cause of a miss, and the hit.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache, FileStore, Sql, fleche, withCache } from "../../src/index.js";
import { tempDirs } from "../helpers/temp.js";
import { captureLogs } from "../helpers/logs.js";
import { dropDatabases, freshDatabase } from "../helpers/postgres.js";

const dirs = tempDirs("explain");

after(dropDatabases);

const caches = {
  "FileStore": async () => {
    const root = dirs();
    return new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new FileStore({ root: join(root, "calls") }) });
  },
  "SQLite": async () => {
    const root = dirs();
    return new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new Sql({ url: `sqlite:///${join(root, "calls.db")}` }) });
  },
  "PostgreSQL": async () => new Cache({ values: new FileStore({ root: join(dirs(), "values") }), calls: new Sql({ url: await freshDatabase() }) }),
};

/** A training step with a scalar and an array argument. */
function train(lr: number, data: Float64Array) {
  return data.reduce((s, x) => s + x * lr, 0);
}

function series(n: number, change?: number): Float64Array {
  const data = new Float64Array(n).map((_, i) => i / 2);
  if (change !== undefined) data[change] = -1;
  return data;
}

for (const [kind, make] of Object.entries(caches)) {
  describe(`f.explain over ${kind}`, () => {
    it("hit: a stored call whose result loads", async () => {
      const cache = await make();
      const f = fleche(train, { version: 1 });
      await withCache(cache, async () => {
        await f(0.01, series(1000));
        const report = await f.explain(0.01, series(1000));
        assert.equal(report.verdict, "hit");
        assert.equal(report.key, await f.digest(0.01, series(1000)));
        assert.match(report.text, /is stored and its result loads/);
      });
      await cache.close();
    });

    it("differs: each changed argument by name, with both values previewed", async () => {
      const cache = await make();
      const f = fleche(train, { version: 1 });
      await withCache(cache, async () => {
        await f(0.01, series(1000));
        const lr = await f.explain(0.001, series(1000));
        assert.equal(lr.verdict, "differs");
        const [nearest] = lr.nearest!;
        assert.deepEqual(nearest!.identity, []);
        assert.deepEqual(nearest!.arguments.map((a) => [a.name, a.change, a.detail]), [["lr", "changed", "0.01 → 0.001"]]);
        assert.match(lr.text, /lr: 0\.01 → 0\.001/);

        const data = await f.explain(0.01, series(1000, 17));
        assert.equal(data.nearest![0]!.arguments[0]!.detail, "Float64Array(1000) differs at [17]: 8.5 → -1");
        assert.match(data.text, /data: Float64Array\(1000\) differs at \[17\]/);

        const both = await f.explain(0.5, series(999));
        assert.deepEqual(both.nearest![0]!.arguments.map((a) => a.detail), ["0.01 → 0.5", "Float64Array(1000) → Float64Array(999)"]);
        assert.equal(both.nearest![0]!.distance, 2);
      });
      await cache.close();
    });

    it("differs: module, version and code digest of the function", async () => {
      const cache = await make();
      await withCache(cache, async () => {
        await fleche(train, { version: 1, module: "lab/a" })(0.01, series(10));
        const moved = await fleche(train, { version: 2, module: "lab/b" }).explain(0.01, series(10));
        assert.equal(moved.verdict, "differs");
        assert.deepEqual(moved.nearest![0]!.identity, [
          { component: "module", stored: "lab/a", probe: "lab/b" },
          { component: "version", stored: 1, probe: 2 },
        ]);
        assert.deepEqual(moved.nearest![0]!.arguments, []);
        assert.match(moved.text, /version: 1 → 2/);

        const before = fleche(function step(x: number) { return x + 1; }, { hashCode: true });
        const after = fleche(function step(x: number) { return x + 2; }, { hashCode: true });
        await before(1);
        const edited = await after.explain(1);
        assert.equal(edited.nearest![0]!.identity.length, 1);
        assert.equal(edited.nearest![0]!.identity[0]!.component, "codeDigest");
        assert.match(edited.text, /codeDigest: "?[0-9a-f]{12}"? → "?[0-9a-f]{12}/);
      });
      await cache.close();
    });

    it("differs: a parameter added to the function is named", async () => {
      const cache = await make();
      await withCache(cache, async () => {
        await fleche(function scale(x: number) { return x; }, { name: "scale" })(2);
        const report = await fleche(function scale(x: number, factor: number) { return x * factor; }, { name: "scale" }).explain(2, 3);
        assert.deepEqual(report.nearest![0]!.arguments.map((a) => [a.name, a.change]), [["factor", "added"]]);
        assert.match(report.text, /factor: not a parameter of the stored call/);
      });
      await cache.close();
    });

    it("unknown-function: no call of that name, with similar names", async () => {
      const cache = await make();
      await withCache(cache, async () => {
        await fleche(function trainModel(x: number) { return x; })(1);
        await fleche(function evaluate(x: number) { return x; })(1);
        const report = await fleche(function trainModle(x: number) { return x; }).explain(1);
        assert.equal(report.verdict, "unknown-function");
        assert.deepEqual(report.similarNames, ["trainModel"]);
        assert.match(report.text, /No call of trainModle is stored in this cache\. Similar names: trainModel\./);
      });
      await cache.close();
    });

    it("unreadable: the record is stored but its result value is gone", async () => {
      const cache = await make();
      const f = fleche(function big(n: number) { return new Float64Array(n); });
      await withCache(cache, async () => {
        await f(100);
        const record = await cache.loadRecord(await f.digest(100));
        await cache.values.evictValue(record!.result!);
        const report = await f.explain(100);
        assert.equal(report.verdict, "unreadable");
        assert.equal(report.unreadable!.result, record!.result);
        assert.match(report.text, /its result value [0-9a-f]{12} cannot be loaded/);
      });
      await cache.close();
    });

    it("pending: a record without a result", async () => {
      const cache = await make();
      const f = fleche(function slow(x: number) { return x; });
      await withCache(cache, async () => {
        const call = await f.call(5);
        await cache.calls.saveCall(call.record(null));
        assert.equal((await f.explain(5)).verdict, "pending");
      });
      await cache.close();
    });

    it("hidden: a filtered view leaves the stored call out; read-only views are flagged", async () => {
      const cache = await make();
      const f = fleche(function tagged(x: number) { return x * 2; }, { version: 1 });
      await withCache(cache, () => f(4));
      const view = cache.filter({ version: 2 });
      const report = await withCache(view, () => f.explain(4));
      assert.equal(report.verdict, "hidden");
      assert.equal(report.readOnly, true);
      assert.match(report.text, /is stored, but the filtered view leaves it out/);
      assert.match(report.text, /read-only: a call that misses here is computed but not stored/);
      const readOnly = await withCache(cache.readOnly(), () => f.explain(5));
      assert.equal(readOnly.verdict, "differs");
      assert.equal(readOnly.readOnly, true);
      await cache.close();
    });

    it("skipped: an indigestible argument, a missing required argument, strict", async () => {
      const cache = await make();
      class Opaque {
        constructor(readonly n: number) {}
      }
      const logs = captureLogs();
      try {
        await withCache(cache, async () => {
          const opaque = fleche(function useOpaque(o: Opaque) { return o.n; });
          const report = await opaque.explain(new Opaque(1));
          assert.equal(report.verdict, "skipped");
          assert.equal(report.key, null);
          assert.deepEqual([report.skipped!.reason, report.skipped!.strict], ["indigestible", false]);
          assert.match(report.text, /an argument cannot be digested, so the call runs uncached every time/);
          const strict = await fleche(function useOpaque(o: Opaque) { return o.n; }, { strict: true }).explain(new Opaque(1));
          assert.match(strict.text, /the call throws \(strict\)/);
          const needs = fleche(function needs(a: number, b?: number) { return a + (b ?? 0); }, { require: ["b"] });
          const missing = await needs.explain(1);
          assert.equal(missing.skipped!.reason, "missing-required");
          assert.match(missing.text, /a required argument is missing/);
        });
      } finally {
        logs.restore();
      }
      await cache.close();
    });
  });
}
