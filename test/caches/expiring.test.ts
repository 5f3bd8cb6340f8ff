/** maxAge: per function and as a cache modifier (Expiring); expired calls are misses and gc takes them. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, ConfigError, Expiring, Memory, cacheFromConfig, fleche, withCache } from "../../src/index.js";
import type { CallRecord } from "../../src/call-record.js";

const DAY = 86_400;

function memoryCache(): Cache {
  return new Cache({ values: new Memory(), calls: new Memory() });
}

/** Make the stored call under `key` look `seconds` old (its finishing time moved back). */
async function age(cache: Cache, key: string, seconds: number): Promise<void> {
  const record = (await cache.calls.loadCall(key)) as CallRecord;
  const runtime = { ...record.metadata.runtime, timestop: Date.now() / 1000 - seconds };
  await cache.calls.saveCall({ ...record, metadata: { ...record.metadata, runtime } });
}

describe("maxAge", () => {
  it("per function: a call older than maxAge runs again and replaces its record", async () => {
    const cache = memoryCache();
    let runs = 0;
    const f = fleche((x: number) => ({ x, run: ++runs }), { name: "f", maxAge: "1d" });
    await withCache(cache, async () => {
      assert.deepEqual(await f(1), { x: 1, run: 1 });
      assert.deepEqual(await f(1), { x: 1, run: 1 }, "fresh: a hit");
      const key = await f.digest(1);
      await age(cache, key, DAY - 60);
      assert.deepEqual(await f(1), { x: 1, run: 1 }, "almost a day old: still a hit");
      await age(cache, key, DAY + 60);
      assert.deepEqual(await f(1), { x: 1, run: 2 }, "older than a day: runs again");
      assert.deepEqual(await f(1), { x: 1, run: 2 }, "the new record is fresh");
      const stop = (await cache.loadRecord(key))!.metadata.runtime!.timestop as number;
      assert.ok(Date.now() / 1000 - stop < 60);
    });
  });

  it("per function: a record without its finishing time never expires; bad values are errors naming the option", async () => {
    const cache = memoryCache();
    let runs = 0;
    const f = fleche((x: number) => [x, ++runs], { name: "g", maxAge: 1 });
    await withCache(cache, async () => {
      await f(1);
      const key = await f.digest(1);
      const record = (await cache.calls.loadCall(key)) as CallRecord;
      await cache.calls.saveCall({ ...record, metadata: {} });
      assert.deepEqual(await f(1), [1, 1]);
    });
    assert.throws(() => fleche((x: number) => x, { name: "h", maxAge: "soon" }), (e: unknown) => e instanceof ConfigError && /fleche\(h\): option `maxAge` must be a number of seconds > 0 or a duration/.test(e.message));
    assert.throws(() => fleche((x: number) => x, { name: "h", maxAge: -1 }), ConfigError);
  });

  it("Expiring: old calls are misses, hidden from queries, load and contains; fresh ones are served", async () => {
    const inner = memoryCache();
    const expiring = new Expiring(inner, { maxAge: "12h" });
    let runs = 0;
    const f = fleche((x: number) => ({ x, run: ++runs }), { name: "f" });
    await withCache(expiring, async () => {
      await f(1);
      await f(2);
      await age(inner, await f.digest(1), DAY);
      assert.equal(await expiring.query({}).count(), 1);
      assert.equal(await expiring.contains(await f.digest(1)), false);
      await assert.rejects(expiring.load(await f.digest(1)), { name: "CacheMiss" });
      assert.equal(await expiring.contains(await f.digest(2)), true);
      assert.deepEqual(await f(2), { x: 2, run: 2 });
      assert.deepEqual(await f(1), { x: 1, run: 3 });
    });
  });

  it("Expiring: gc removes expired records, then the values only they needed (a dry run counts them)", async () => {
    const inner = memoryCache();
    const expiring = new Expiring(inner, { maxAge: 3600 });
    const f = fleche((x: number) => ({ x, payload: "p".repeat(100) }), { name: "f" });
    await withCache(expiring, async () => {
      await f(1);
      await f(2);
    });
    await age(inner, await withCache(expiring, () => f.digest(1)), 7200);
    const dry = await expiring.gc({ dryRun: true, grace: 0 });
    assert.equal(dry.expired, 1);
    assert.equal(await inner.query({}).count(), 2, "a dry run removes nothing");
    const report = await expiring.gc({ grace: 0 });
    assert.equal(report.expired, 1);
    assert.equal(report.evicted.length, 1, "the expired call's result value went with it");
    assert.equal(await inner.query({}).count(), 1);
  });

  it("is the max_age modifier in config, round-tripping through toConfig", () => {
    const built = cacheFromConfig({ template: "memory", max_age: "7d" });
    assert.ok(built instanceof Expiring);
    assert.equal(built.maxAge, 7 * DAY);
    assert.deepEqual(built.toConfig(), { values: { type: "memory" }, calls: { type: "memory" }, max_age: 7 * DAY });
    assert.ok(cacheFromConfig(built.toConfig()) instanceof Expiring);
    assert.throws(() => cacheFromConfig({ template: "memory", max_age: "a week" }), /`max_age` must be a number of seconds > 0 or a duration/);
    assert.throws(() => new Expiring(memoryCache(), { maxAge: 1, max_age: 2 } as never), /unknown option `max_age`/);
  });
});
