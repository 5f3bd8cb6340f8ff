import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AmbiguousDigestError, CacheMiss, CacheStack, ConfigError, Memory, cache, cacheFromConfig, fleche, withCache } from "../../src/index.js";
import { MISS } from "../../src/cache-core.js";
import { captureLogs } from "../helpers/logs.js";
import { callOf, fresh, keysOf, put, spy } from "./helpers.js";

describe("CacheStack", () => {
  it("writes to the first layer only", async () => {
    const [a, b] = [fresh(), fresh()];
    const stack = new CacheStack([a, b]);
    const key = await put(stack, 1);
    assert.deepEqual(await keysOf(a), [key]);
    assert.deepEqual(await keysOf(b), []);
  });

  it("reads through the layers and back-fills the first layer only, not the ones between", async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const key = await put(c, 1, [1, 2]);
    const stack = new CacheStack([a, b, c]);
    assert.deepEqual(await stack.lookup(key), [1, 2]);
    assert.deepEqual(await keysOf(a), [key]);
    assert.deepEqual(await keysOf(b), []);
    assert.deepEqual(await (await a.load(key)).result(), [1, 2]);
    assert.deepEqual((await a.loadRecord(key))!.metadata, (await c.loadRecord(key))!.metadata, "metadata travels with the back-fill");
    const key2 = await put(b, 2);
    const loaded = await stack.load(key2.slice(0, 10));
    assert.equal(loaded.key, key2);
    assert.equal(await loaded.result(), "r2");
    assert.ok(await a.contains(key2), "load back-fills too");
  });

  it("does not back-fill single values", async () => {
    const [a, b] = [fresh(), fresh()];
    const key = await put(b, 1, [5]);
    const record = (await b.loadRecord(key))!;
    assert.deepEqual(await new CacheStack([a, b]).loadValue(record.result!), [5]);
    assert.deepEqual([...(a.values as Memory).listValues()], []);
  });

  it("back-fills once under concurrent reads of one key", async () => {
    const [a, b] = [fresh(), fresh()];
    const key = await put(b, 1, [1]);
    spy(a, "contains", 5); // widen the window between "is it there?" and "copy it"
    const saves = spy(a, "save");
    const stack = new CacheStack([a, b]);
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => stack.lookup(key)),
      ...Array.from({ length: 8 }, () => stack.load(key).then((l) => l.result())),
    ]);
    assert.ok(results.every((r) => JSON.stringify(r) === "[1]"));
    assert.equal(saves.count(), 1);
  });

  it("serves wrapped functions from lower layers without running them, then from the first", async () => {
    const [a, b] = [fresh(), fresh()];
    let runs = 0;
    const f = fleche(function square(x: number) {
      runs++;
      return x * x;
    });
    await withCache(b, () => f(3));
    const stack = new CacheStack([a, b]);
    await withCache(stack, async () => {
      assert.equal(await f(3), 9);
      assert.equal(await f(4), 16);
    });
    assert.equal(runs, 2);
    assert.equal((await keysOf(a)).length, 2, "the hit was back-filled, the miss was stored in the first layer");
    assert.equal((await keysOf(b)).length, 1);
    assert.equal(a.lookup(await withCache(a, () => f.digest(3))), 9);
  });

  it("queries the union, first layer first, each key once", async () => {
    const [a, b] = [fresh(), fresh()];
    const [ka, kb, kc] = [await put(a, "A"), await put(a, "B"), await put(b, "C")];
    await put(b, "B", "other result");
    const calls = await new CacheStack([a, b]).query().toArray();
    assert.deepEqual(calls.map((c) => c.key), [ka, kb, kc]);
    assert.equal(await calls[1]!.result(), "rB", "the first layer's copy wins");
  });

  it("evicts from every layer, skipping layers that refuse", async () => {
    const [a, b] = [fresh(), fresh()];
    const key = await put(a, 1);
    await put(b, 1);
    const team = fresh();
    await put(team, 1);
    await new CacheStack([a, b, team.readOnly()]).evict(key);
    assert.equal(await a.contains(key), false);
    assert.equal(await b.contains(key), false);
    assert.equal(await team.contains(key), true);
  });

  it("expands across layers, shrinks to the longest prefix, and reports ambiguity", async () => {
    const [a, b] = [fresh(), fresh()];
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) keys.push(await put(i % 2 ? a : b, i));
    const stack = new CacheStack([a, b]);
    for (const key of keys) assert.equal(await stack.expand(key.slice(0, 12)), key);
    const shrunk = await stack.shrinkAll(keys);
    for (let i = 0; i < keys.length; i++) assert.equal(await stack.expand(shrunk[i]!), keys[i]);
    await assert.rejects(stack.expand("ffffffff"), CacheMiss);
  });

  it("reports a prefix that two layers resolve to different keys as ambiguous", async () => {
    const seen = new Map<string, number>();
    let pair: [number, number] | undefined;
    for (let i = 0; !pair; i++) {
      const prefix = callOf({ x: i }).key.slice(0, 4);
      const j = seen.get(prefix);
      if (j === undefined) seen.set(prefix, i);
      else pair = [j, i];
    }
    const [a, b] = [fresh(), fresh()];
    const ka = await put(a, pair[0]);
    await put(b, pair[1]);
    await assert.rejects(new CacheStack([a, b]).expand(ka.slice(0, 4)), AmbiguousDigestError);
  });

  it("refuses nested stacks; push prepends and flattens", () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const ab = new CacheStack([a, b]);
    assert.throws(() => new CacheStack([ab, c]), ConfigError);
    assert.throws(() => new CacheStack([]), ConfigError);
    assert.deepEqual(ab.push(c).layers, [c, a, b]);
    assert.deepEqual(ab.push(new CacheStack([c])).layers, [c, a, b]);
    assert.deepEqual(c.push(a).layers, [a, c]);
  });

  it("still answers when the first layer refuses the back-fill", async () => {
    const [top, b] = [fresh(), fresh()];
    const key = await put(b, 1);
    const logs = captureLogs();
    try {
      const stack = new CacheStack([top.readOnly(), b]);
      assert.equal(await stack.lookup(key), "r1");
      assert.ok(logs.warn.some((w) => w.includes("Not back-filling")));
    } finally {
      logs.restore();
    }
  });

  it("misses when no layer has the key, and reports contains across layers", async () => {
    const [a, b] = [fresh(), fresh()];
    const stack = new CacheStack([a, b]);
    const key = callOf({ x: 1 }).key;
    assert.equal(await stack.lookup(key), MISS);
    await put(b, 1);
    assert.equal(await stack.contains(key), true);
    await assert.rejects(stack.load("0000"), CacheMiss);
  });

  it("is a valid active cache and closes every layer", async () => {
    const closed: string[] = [];
    const layer = (label: string) => {
      const c = fresh();
      c.close = async () => void closed.push(label);
      return c;
    };
    const stack = new CacheStack([layer("a"), layer("b")]);
    using _ = cache(stack);
    assert.equal(cache(), stack);
    await stack.close();
    assert.deepEqual(closed, ["a", "b"]);
    assert.ok(cacheFromConfig(stack.toConfig()) instanceof CacheStack);
  });
});
