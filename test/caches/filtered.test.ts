import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheMiss, CacheStack, Rejected, fleche, withCache } from "../../src/index.js";
import { MISS } from "../../src/cache-core.js";
import { fresh, put } from "./helpers.js";

describe("Filtered", () => {
  it("shows only matching calls, by query filter or by predicate", async () => {
    const base = fresh();
    const keep = await put(base, 1, "one", "train");
    const drop = await put(base, 2, "two", "test");
    for (const view of [base.filter({ name: "train" }), base.filter((call) => call.name === "train")]) {
      assert.deepEqual((await view.query().toArray()).map((c) => c.key), [keep]);
      assert.equal(await (await view.load(keep)).result(), "one");
      await assert.rejects(view.load(drop), CacheMiss);
      assert.equal(await view.lookup(drop), MISS);
      assert.equal(await view.lookup(keep), "one");
      assert.equal(await view.contains(keep), true);
      assert.equal(await view.contains(drop), false, "membership is filtered too (the original forwarded it)");
      assert.equal(await view.loadRecord(drop), undefined);
    }
  });

  it("is live: later saves to the cache show up when they match", async () => {
    const base = fresh();
    const view = base.filter({ args: { x: 5 } });
    assert.equal(await view.query().count(), 0);
    await put(base, 5);
    await put(base, 6);
    assert.equal(await view.query().count(), 1);
  });

  it("predicates may look at values, which load from the cache", async () => {
    const base = fresh();
    await put(base, 1, [1, 2, 3]);
    await put(base, 2, [1]);
    const view = base.filter(async (call) => ((await call.result()) as number[]).length > 2);
    assert.equal(await view.query().count(), 1);
  });

  it("is read-only, also under a wrapped function", async () => {
    const base = fresh();
    const view = base.filter({ name: "g" });
    await assert.rejects(put(view, 1), Rejected);
    await assert.rejects(view.evict("abcd"), Rejected);
    let runs = 0;
    const g = fleche(function g(x: number) {
      runs++;
      return x;
    });
    await withCache(base, () => g(1));
    await withCache(view, () => g(1));
    assert.equal(runs, 1, "a matching stored call is served through the view");
  });

  it("filters stacks, and filters of filters narrow further", async () => {
    const [a, b] = [fresh(), fresh()];
    await put(a, 1, "r", "f");
    await put(b, 2, "r", "g");
    await put(b, 3, "r", "g");
    const view = new CacheStack([a, b]).filter({ name: "g" });
    assert.equal(await view.query().count(), 2);
    assert.equal(await view.filter({ args: { x: 3 } }).query().count(), 1);
  });
});
