import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheMiss, CachePool, CacheStack, Memory, Rejected, fleche, withCache } from "../../src/index.js";
import { MISS } from "../../src/cache-core.js";
import { isReadOnly } from "../../src/caches/read-only.js";
import { captureLogs } from "../helpers/logs.js";
import { callOf, fresh, keysOf, put } from "./helpers.js";

describe("CachePool", () => {
  it("rejects saves and evictions without touching its members", async () => {
    const a = fresh();
    const key = await put(a, 1);
    const pool = new CachePool([a]);
    await assert.rejects(put(pool, 2), Rejected);
    await assert.rejects(pool.evict(key), Rejected);
    assert.deepEqual(await keysOf(a), [key]);
    assert.ok(isReadOnly(pool));
  });

  it("serves a call from the first member that has it and never back-fills", async () => {
    const [a, b] = [fresh(), fresh()];
    const key = await put(b, 1, "from b");
    const pool = new CachePool([a, b]);
    assert.equal(await pool.lookup(key), "from b");
    assert.equal(await (await pool.load(key)).result(), "from b");
    assert.deepEqual(await keysOf(a), []);
    await put(a, 1, "from a");
    assert.equal(await pool.lookup(key), "from a", "member order decides which copy is served");
    assert.equal(await pool.contains(key), true);
    assert.equal(await pool.lookup(callOf({ x: 99 }).key), MISS);
    await assert.rejects(pool.load(callOf({ x: 99 }).key), CacheMiss);
  });

  it("loads values from any member, and queries the de-duplicated union", async () => {
    const [a, b] = [fresh(), fresh()];
    const k1 = await put(a, 1, [1]);
    const k2 = await put(b, 2, [2]);
    await put(b, 1, [1]);
    const pool = new CachePool([a, b]);
    assert.deepEqual((await pool.query().toArray()).map((c) => c.key), [k1, k2]);
    assert.deepEqual(await pool.loadValue((await b.loadRecord(k2))!.result!), [2]);
    const shrunk = await pool.shrinkAll([k1, k2]);
    assert.deepEqual([await pool.expand(shrunk[0]!), await pool.expand(shrunk[1]!)], [k1, k2]);
  });

  it("is empty without members", async () => {
    const pool = new CachePool([]);
    assert.equal(await pool.contains(callOf({ x: 1 }).key), false);
    assert.equal(await pool.query().count(), 0);
    await assert.rejects(pool.load(callOf({ x: 1 }).key), CacheMiss);
    assert.deepEqual(pool.toConfig(), { pool: [] });
  });

  it("takes read-only views and stacks as members", async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    await put(a, 1);
    await put(c, 2);
    const pool = new CachePool([a.readOnly(), new CacheStack([b, c])]);
    assert.equal(await pool.query().count(), 2);
  });

  it("under a wrapped function: runs, returns the result, warns once, stores nothing", async () => {
    const a = fresh();
    let runs = 0;
    const f = fleche(function twice(x: number) {
      runs++;
      return 2 * x;
    });
    const logs = captureLogs();
    try {
      assert.equal(await withCache(new CachePool([a]), () => f(4)), 8);
      assert.equal(logs.warn.length, 1);
      assert.match(logs.warn[0]!, /Cache rejected save: cache pool: not saving twice/);
    } finally {
      logs.restore();
    }
    assert.equal(runs, 1);
    assert.deepEqual([...(a.values as Memory).listValues()], []);
  });

  it("can be the source of a transfer", async () => {
    const [a, b, target] = [fresh(), fresh(), fresh()];
    await put(a, 1);
    await put(b, 2);
    const report = await new CachePool([a, b]).transfer(target);
    assert.equal(report.transferred.length, 2);
    assert.equal((await keysOf(target)).length, 2);
  });
});
