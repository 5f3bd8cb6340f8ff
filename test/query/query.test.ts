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

describe("Query: ordering, grouping, time", () => {
  it("sorts by an argument or a function, re-sorting on each pass", async () => {
    const { c } = await populated();
    const xs = async (q: ReturnType<typeof c.query>) => Promise.all((await q.toArray()).map((call) => call.argument("x")));
    assert.deepEqual(await xs(c.query().sortBy("x")), [1, 1, 2, 3]);
    assert.deepEqual(await xs(c.query().sortBy("x", { reverse: true })), [3, 2, 1, 1]);
    assert.deepEqual(await xs(c.query().sortBy(async (call) => -(await call.result() as number))), [3, 2, 1, 1]);
  });

  it("keeps the first call per distinct value with unique, and groups with groupBy", async () => {
    const { c } = await populated();
    assert.equal(await c.query().unique("y").count(), 3);
    const groups = await c.query().groupBy("y");
    assert.deepEqual([...groups.keys()].sort(), [5, 6, 7]);
    assert.equal(await groups.get(5)!.count(), 2);
  });

  it("finds the latest and oldest call by runtime.timestop", async () => {
    const { c, f } = await populated();
    await new Promise((r) => setTimeout(r, 5));
    await withCache(c, () => f(4, 4));
    assert.equal(await (await c.query().latest()).argument("x"), 4);
    assert.equal(await (await c.query().oldest()).argument("x"), 1);
    await assert.rejects(c.query({ name: "none" }).latest(), /empty/);
  });

  it("explains when no call is dated", async () => {
    const c = new Cache({ values: new Memory(), calls: new Memory() });
    const g = fleche((x: number) => x * 2, { name: "g" });
    const { meta } = await import("../../src/index.js");
    await withCache(c, async () => {
      using _ = meta();
      await g(1);
    });
    await assert.rejects(c.query().latest(), /Runtime metadata provider/);
  });
});

describe("Query: transfer and table", () => {
  it("transfers calls with their values, skipping conflicts unless overwriting, popping on request", async () => {
    const { c } = await populated();
    const target = new Cache({ values: new Memory(), calls: new Memory() });
    const first = await c.query({ args: { y: 5 } }).transfer(target);
    assert.equal(first.transferred.length, 2);
    const again = await c.query().transfer(target, { pop: true });
    assert.equal(again.transferred.length, 2);
    assert.equal(again.skipped.length, 2);
    assert.equal(await c.query().count(), 2, "skipped calls stay in the source");
    assert.equal(await target.query().count(), 4);
    const moved = await target.query({ args: { x: 3 } }).only();
    assert.equal(await moved.result(), 21);
    const over = await c.query().transfer(target, { overwrite: true });
    assert.equal(over.transferred.length, 2);
  });

  it("renders rows with short keys, argument and result previews and runtime columns", async () => {
    const { c } = await populated();
    const rows = await c.query().sortBy("x").table();
    assert.equal(rows.length, 4);
    const row = rows[0]!;
    assert.ok((row.key as string).length < 64 && (row.key as string).length >= 4);
    assert.equal(row.function, "f");
    assert.match(row.arguments as string, /^x=1, y=[56]$/);
    assert.match(row["runtime.timestop"] as string, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof row["runtime.walltime"], "number");
    const wide = await c.query({ args: { x: 3 } }).table({ args: true, metadata: true, shrinkKeys: false });
    assert.equal(wide[0]!.x, "3");
    assert.equal(wide[0]!.result, "21");
    assert.equal((wide[0]!.key as string).length, 64);
  });
});
