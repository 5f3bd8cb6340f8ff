import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheStack, ConfigError, Memory, SizeLimited, fleche, withCache } from "../../src/index.js";
import { registerEviction } from "../../src/caches/eviction.js";
import { sizeOf } from "../../src/caches/size-limited.js";
import { captureLogs } from "../helpers/logs.js";
import { callOf, fresh, keysOf, put } from "./helpers.js";

describe("SizeLimited", () => {
  it("keeps at most max_size call records, and leaves values for gc", async () => {
    const base = fresh();
    const limited = new SizeLimited(base, { maxSize: 3 });
    for (let i = 0; i < 10; i++) await put(limited, i, [i]);
    assert.equal((await keysOf(base)).length, 3);
    assert.equal(limited.size, 3);
    assert.equal([...(base.values as Memory).listValues()].length, 10, "values stay until gc");
    assert.equal((await base.gc({ grace: 0 })).evicted.length, 7);
  });

  it("never evicts the call it just saved", async () => {
    for (let round = 0; round < 20; round++) {
      const limited = new SizeLimited(fresh(), { maxSize: 2 });
      await put(limited, "a");
      await put(limited, "b");
      const key = await put(limited, "c");
      assert.ok(await limited.contains(key));
    }
  });

  it("lru evicts the least recently used record; a hit counts as a use", async () => {
    const limited = new SizeLimited(fresh(), { maxSize: 2, eviction: "lru" });
    const a = await put(limited, "a");
    const b = await put(limited, "b");
    assert.equal(await limited.lookup(a), "ra");
    const c = await put(limited, "c");
    assert.deepEqual(await keysOf(limited), [a, c].sort());
    await limited.load(a);
    await put(limited, "d");
    assert.ok(await limited.contains(a));
    assert.equal(await limited.contains(b), false);
  });

  it("lrc evicts the least recently computed record, whatever was read", async () => {
    const limited = new SizeLimited(fresh(), { maxSize: 2, eviction: "lrc" });
    const a = await put(limited, "a");
    const b = await put(limited, "b");
    await limited.lookup(a);
    await put(limited, "c");
    assert.equal(await limited.contains(a), false);
    assert.ok(await limited.contains(b));
  });

  it("counts what is stored already, oldest first, on first use", async () => {
    const base = fresh();
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await put(base, i));
    const limited = new SizeLimited(base, { maxSize: 2, eviction: "lrc" });
    await put(limited, 3);
    assert.equal((await keysOf(base)).length, 2);
    assert.equal(await base.contains(keys[0]!), false, "the oldest record went first");
    assert.equal(await base.contains(keys[1]!), false);
  });

  it("stays within bounds under concurrent saves", async () => {
    const base = fresh();
    const limited = new SizeLimited(base, { maxSize: 5 });
    await Promise.all(Array.from({ length: 4 }, (_, w) => Promise.all(Array.from({ length: 10 }, (_, i) => put(limited, `${w}-${i}`)))));
    assert.ok((await keysOf(base)).length <= 5);
    assert.equal(limited.size, (await keysOf(base)).length);
  });

  it("keeps the values its records refer to within max_bytes", async () => {
    const base = fresh();
    const big = (i: number) => new Float64Array(1000).fill(i); // ~8 kB each
    const each = sizeOf(big(0));
    const limited = new SizeLimited(base, { maxBytes: each * 3.5 });
    for (let i = 0; i < 6; i++) await put(limited, i, big(i));
    assert.ok(limited.bytes <= each * 3.5, `${limited.bytes} bytes kept`);
    assert.equal((await keysOf(base)).length, 3);
    const shared = new SizeLimited(fresh(), { maxBytes: each * 1.5 });
    const value = big(9);
    for (let i = 0; i < 4; i++) await put(shared, i, value);
    assert.equal((await keysOf(shared)).length, 4, "a value shared by several records counts once");
  });

  it("does not keep a single call bigger than max_bytes, and says so", async () => {
    const limited = new SizeLimited(fresh(), { maxBytes: 100 });
    const logs = captureLogs();
    try {
      await put(limited, 1, "x".repeat(1000));
      assert.equal(limited.size, 0);
      assert.ok(logs.warn.some((w) => w.includes("alone exceeds maxBytes=100")));
    } finally {
      logs.restore();
    }
  });

  it("counts existing values for max_bytes on first use", async () => {
    const base = fresh();
    for (let i = 0; i < 4; i++) await put(base, i, new Float64Array(500).fill(i));
    const limited = new SizeLimited(base, { maxBytes: sizeOf(new Float64Array(500)) * 2.5 });
    await put(limited, 99, "small");
    assert.equal((await keysOf(base)).length, 3);
  });

  it("wraps any cache, e.g. a stack, and works as the active cache", async () => {
    const [a, b] = [fresh(), fresh()];
    const limited = new SizeLimited(new CacheStack([a, b]), { maxSize: 2 });
    const f = fleche(function id(x: number) {
      return x;
    });
    await withCache(limited, async () => {
      for (let i = 0; i < 5; i++) await f(i);
    });
    assert.equal((await keysOf(a)).length, 2);
    assert.deepEqual(limited.toConfig(), { stack: [a.toConfig(), b.toConfig()], max_size: 2 });
  });

  it("forgets manually evicted records, also by prefix", async () => {
    const limited = new SizeLimited(fresh(), { maxSize: 2 });
    const a = await put(limited, "a");
    await limited.evict(a.slice(0, 8));
    assert.equal(limited.size, 0);
    await limited.evict("ffffffff"); // absent: a no-op
  });

  it("takes registered policies and checks its options", async () => {
    registerEviction("newest", () => {
      const keys: string[] = [];
      return {
        name: "newest",
        get size() {
          return keys.length;
        },
        has: (k) => keys.includes(k),
        add: (k) => void (keys.includes(k) || keys.push(k)),
        touch() {},
        delete: (k) => void keys.splice(keys.indexOf(k), 1),
        victim: (spare) => [...keys].reverse().find((k) => k !== spare) ?? keys[0],
      };
    });
    const limited = new SizeLimited(fresh(), { maxSize: 2, eviction: "newest" });
    const a = await put(limited, "a");
    await put(limited, "b");
    await put(limited, "c");
    assert.ok(await limited.contains(a));
    assert.deepEqual(limited.toConfig(), { values: { type: "memory" }, calls: { type: "memory" }, max_size: 2, eviction: "newest" });
    assert.throws(() => new SizeLimited(fresh(), {}), ConfigError);
    assert.throws(() => new SizeLimited(fresh(), { maxSize: 1.5 }), /whole number/);
    assert.throws(() => new SizeLimited(fresh(), { maxSize: 2, eviction: "lfu" }), /unknown eviction policy 'lfu'/);
    assert.equal(callOf({ x: 1 }).key.length, 64);
  });
});
