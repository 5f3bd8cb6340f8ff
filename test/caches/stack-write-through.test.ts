/** Write-through stacks: every writable layer takes each call; a lower layer's failure never fails the call. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheStack, ConfigError, cacheFromConfig, fleche, withCache, StoreUnavailable } from "../../src/index.js";
import { captureLogs } from "../helpers/logs.js";
import { fresh, keysOf, put } from "./helpers.js";

const stored = (cache: { lookup(key: string): unknown }, key: string) => Promise.resolve(cache.lookup(key));

describe("CacheStack written through", () => {
  it("writes wrapped calls to every layer, values included", async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const stack = new CacheStack([a, b, c], { writeThrough: true });
    let runs = 0;
    const f = fleche(function sum(xs: number[]) {
      runs++;
      return { total: xs.reduce((s, x) => s + x, 0), xs };
    });
    const result = await withCache(stack, () => f([1, 2, 3, 4]));
    const key = await withCache(stack, () => f.digest([1, 2, 3, 4]));
    for (const layer of [a, b, c]) {
      assert.deepEqual(await keysOf(layer), [key]);
      assert.deepEqual(await stored(layer, key), result, "each layer serves the result on its own");
    }
    assert.equal(runs, 1);
  });

  it("writes saves (transfers, back-fills into the stack) to every layer", async () => {
    const [a, b] = [fresh(), fresh()];
    const stack = new CacheStack([a, b], { writeThrough: true });
    const key = await put(stack, 7);
    assert.deepEqual(await keysOf(a), [key]);
    assert.deepEqual(await keysOf(b), [key]);
  });

  it("skips read-only layers and pools", async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const stack = new CacheStack([a, b.readOnly(), c], { writeThrough: true });
    const key = await put(stack, 1);
    assert.deepEqual(await keysOf(a), [key]);
    assert.deepEqual(await keysOf(b), []);
    assert.deepEqual(await keysOf(c), [key]);
  });

  it("keeps the call cached in front when a lower layer fails, with a warning naming the layer", async () => {
    const [a, b] = [fresh(), fresh()];
    b.commit = () => Promise.reject(new Error("disk full"));
    const stack = new CacheStack([a, b], { writeThrough: true });
    const f = fleche((x: number) => x * 2, { name: "double" });
    const logs = captureLogs();
    try {
      assert.equal(await withCache(stack, () => f(21)), 42);
    } finally {
      logs.restore();
    }
    const key = await withCache(stack, () => f.digest(21));
    assert.equal(await a.lookup(key), 42);
    assert.deepEqual(await keysOf(b), []);
    assert.equal(logs.warn.length, 1);
    assert.match(logs.warn[0]!, /through to layer 1 of the stack: disk full/);
  });

  it("reports an outage the store already reported at debug level only", async () => {
    const [a, b] = [fresh(), fresh()];
    b.prepare = () => Promise.reject(new StoreUnavailable("server away", { reported: true }));
    const stack = new CacheStack([a, b], { writeThrough: true });
    const f = fleche((x: number) => x + 1, { name: "inc" });
    const logs = captureLogs();
    try {
      assert.equal(await withCache(stack, () => f(1)), 2);
    } finally {
      logs.restore();
    }
    assert.equal(logs.warn.length, 0);
    assert.ok(logs.debug.some((line) => /through to layer 1/.test(line)));
  });

  it("fails the call's caching when the first layer fails, as a plain stack does", async () => {
    const [a, b] = [fresh(), fresh()];
    a.commit = () => Promise.reject(new Error("front refused"));
    const stack = new CacheStack([a, b], { writeThrough: true });
    await assert.rejects(put(stack, 1), /front refused/);
  });

  it("round-trips through config as { stack, write_through }, and push keeps the option", () => {
    const stack = cacheFromConfig({ stack: [{ values: { type: "memory" }, calls: { type: "memory" } }, { values: { type: "memory" }, calls: { type: "memory" } }], write_through: true });
    assert.ok(stack instanceof CacheStack && stack.writeThrough);
    assert.deepEqual(stack.toConfig(), {
      stack: [
        { values: { type: "memory" }, calls: { type: "memory" } },
        { values: { type: "memory" }, calls: { type: "memory" } },
      ],
      write_through: true,
    });
    assert.equal(stack.push(fresh()).writeThrough, true);
    assert.ok(Array.isArray(new CacheStack([fresh()]).toConfig()), "a plain stack stays an array");
  });

  it("rejects bad options by name", () => {
    assert.throws(() => new CacheStack([fresh()], { writeTrough: true } as never), (e: unknown) => e instanceof ConfigError && /writeTrough/.test(e.message));
    assert.throws(() => new CacheStack([fresh()], { writeThrough: "yes" } as never), /writeThrough.*true or false/);
    assert.throws(() => cacheFromConfig({ stack: [{ values: { type: "memory" }, calls: { type: "memory" } }], write_through: 1 }), /write_through.*true or false/);
    assert.throws(() => cacheFromConfig({ stack: [{ values: { type: "memory" }, calls: { type: "memory" } }], writethrough: true }), /writethrough.*write_through/);
  });
});
