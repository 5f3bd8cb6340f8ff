import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, D, Memory, digest, fleche, withCache, FlecheError } from "../../src/index.js";

async function populated() {
  const c = new Cache({ values: new Memory(), calls: new Memory() });
  const f = fleche(function f(x: number, y: number) {
    return x * y;
  }, { module: "q" });
  await withCache(c, async () => {
    for (const [x, y] of [[1, 5], [2, 5], [1, 6], [3, 7]] as const) await f(x, y);
  });
  return { c, f };
}

describe("Query", () => {
  it("is re-iterable and reflects the cache as it is now", async () => {
    const { c, f } = await populated();
    const q = c.query({ name: "f" });
    assert.equal(await q.count(), 4);
    await withCache(c, () => f(9, 9));
    assert.equal(await q.count(), 5);
  });

  it("chains without changing the receiver", async () => {
    const { c } = await populated();
    const q = c.query();
    const two = q.take(2);
    assert.equal(await two.count(), 2);
    assert.equal(await q.skip(3).count(), 1);
    assert.equal(await q.take(0).count(), 0);
    assert.equal(await q.take(100).count(), 4);
    assert.equal(await q.count(), 4);
    const big = q.filter(async (call) => ((await call.result()) as number) > 6);
    assert.equal(await big.count(), 2);
  });

  it("matches arguments by content and results by value or digest", async () => {
    const { c } = await populated();
    assert.equal(await c.query({ args: { y: 5 } }).count(), 2);
    assert.equal(await c.query({ args: { y: D(digest(5)) } }).count(), 2);
    assert.equal(await c.query({ args: { y: D(digest(5).slice(0, 8)) } }).count(), 2);
    assert.equal(await c.query({ result: 21 }).count(), 1);
    assert.equal(await c.query({ args: { z: 1 } }).count(), 0);
    assert.equal(await c.query({ name: "g" }).count(), 0);
  });

  it("has terminal helpers with clear errors", async () => {
    const { c } = await populated();
    assert.equal((await c.query({ args: { x: 3 } }).only()).name, "f");
    await assert.rejects(c.query().only(), /more than one/);
    await assert.rejects(c.query({ name: "none" }).only(), FlecheError);
    await assert.rejects(c.query({ name: "none" }).first(), /empty/);
    assert.equal(await c.query({ name: "none" }).any(), undefined);
    assert.equal(await c.query({ name: "none" }).empty(), true);
    const results = [];
    for await (const r of c.query({ args: { y: 5 } }).results()) results.push(r);
    assert.deepEqual(results.sort(), [10, 5]);
  });

  it("evicts exactly the matching calls", async () => {
    const { c } = await populated();
    assert.equal(await c.query({ args: { x: 1 } }).evict(), 2);
    assert.equal(await c.query().count(), 2);
  });
});
