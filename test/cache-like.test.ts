/**
 * Whole-cache operations through the `CacheLike` contract, which is what `cache()` and
 * `cacheFromConfig()` return: every cache, plain or composed, has them (docs/api.md).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, Memory, Rejected, cacheFromConfig, fleche, withCache, type CacheLike } from "../src/index.js";

const add = fleche((a: number, b: number) => ({ sum: a + b, pad: "x".repeat(300) }), { name: "add", module: "cache-like-test" });

async function filled(cache: CacheLike): Promise<void> {
  await withCache(cache, async () => {
    await add(1, 2);
    await add(3, 4);
  });
}

describe("CacheLike whole-cache operations", () => {
  it("a cache built from config answers gc, redigest, readOnly, filter and transfer without knowing its class", async () => {
    const c: CacheLike = cacheFromConfig({ values: { type: "memory" }, calls: { type: "memory" } });
    await filled(c);
    assert.equal((await c.gc({ grace: 0 })).evicted.length, 0, "every value is live");
    assert.equal((await c.redigest()).rekeyed.length, 0);
    const target = new Cache({ values: new Memory(), calls: new Memory() });
    assert.equal((await c.filter({ args: { a: 1 } }).transfer(target)).transferred.length, 1);
    const view = c.readOnly();
    assert.equal(view.readOnly(), view, "a read-only cache is its own read-only view");
    await assert.rejects(view.gc(), (e: unknown) => e instanceof Rejected && /cannot be garbage-collected \(it is read-only\)/.test((e as Error).message));
    await assert.rejects(view.redigest(), Rejected);
  });

  it("a stack collects through the same method; a pool, read-only, refuses", async () => {
    const stack: CacheLike = cacheFromConfig([{ values: { type: "memory" }, calls: { type: "memory" } }, { values: { type: "memory" }, calls: { type: "memory" } }]);
    await filled(stack);
    const report = await stack.gc({ grace: 0 });
    assert.deepEqual(report.evicted, []);
    assert.ok(report.records >= 2, "the records of the writable layer were read");
    const pool = cacheFromConfig({ pool: [{ values: { type: "memory" }, calls: { type: "memory" } }] });
    assert.equal(pool.readOnly(), pool);
    await assert.rejects(pool.gc(), Rejected);
  });
});
