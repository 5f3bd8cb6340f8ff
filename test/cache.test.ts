import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AmbiguousDigestError, Cache, CacheMiss, ConfigError, D, FlecheError, Memory, Rejected, SaveError, Void, cacheFromConfig, digest } from "../src/index.js";
import { Call } from "../src/call.js";
import { captureLogs } from "./helpers/logs.js";

const fresh = () => new Cache({ values: new Memory(), calls: new Memory() });
const identity = { name: "f", module: "tests", version: 1, codeDigest: null };

describe("Cache", () => {
  it("refuses stores that cannot play their role", () => {
    assert.throws(() => new Cache({ values: {} as never, calls: new Memory() }), ConfigError);
    assert.throws(() => new Cache({ values: new Memory(), calls: null as never }), /`calls` must be a call store/);
  });

  it("prepare stores the arguments and seals the key before the body runs", async () => {
    const c = fresh();
    const list = [1, 2];
    const call = Call.of(identity, { list });
    const prepared = await c.prepare(call);
    assert.equal(await c.contains(prepared.key), false);
    assert.deepEqual(await c.loadValue(digest([1, 2])), [1, 2]);
    list.push(3);
    const key = await prepared.commit(list, { tags: { t: 1 } });
    assert.equal(key, call.key);
    const lazy = await c.load(key);
    assert.deepEqual(await lazy.argument("list"), [1, 2]);
    assert.deepEqual(await lazy.result(), [1, 2, 3]);
    assert.deepEqual(lazy.metadata, { tags: { t: 1 } });
  });

  it("commits once; abandon is idempotent and forbids a later commit", async () => {
    const c = fresh();
    const prepared = await c.prepare(Call.of(identity, { x: 1 }));
    await prepared.commit(2);
    await assert.rejects(prepared.commit(3), FlecheError);
    const other = await c.prepare(Call.of(identity, { x: 2 }));
    other.abandon();
    other.abandon();
    await assert.rejects(other.commit(1), /already abandoned/);
    assert.equal(await c.contains(other.key), false);
  });

  it("abandons a prepared call when a using-block ends without commit", async () => {
    const c = fresh();
    let key = "";
    {
      using prepared = await c.prepare(Call.of(identity, { x: 9 }));
      key = prepared.key;
    }
    assert.equal(await c.contains(key), false);
  });

  it("one-shot save keys like prepare + commit", async () => {
    const a = fresh();
    const b = fresh();
    const call = Call.of(identity, { x: [1], y: "z" });
    const k1 = await a.save(call, 42);
    const k2 = await (await b.prepare(call)).commit(42);
    assert.equal(k1, k2);
    assert.equal(await (await a.load(k1)).result(), 42);
  });

  it("turns a result the value store refuses into Rejected, filing nothing", async () => {
    const values = new Memory();
    values.saveValue = () => {
      throw new SaveError("too big for this test");
    };
    const c = new Cache({ values, calls: new Memory() });
    const call = Call.of(identity, { x: D(digest(1)) });
    await assert.rejects(c.save(call, [1]), Rejected);
    assert.equal(await c.contains(call.key), false);
  });

  it("keeps a digest-only reference when an argument cannot be stored", async () => {
    const values = new Memory();
    const save = values.saveValue.bind(values);
    values.saveValue = (value, key) => {
      if (JSON.stringify(value) === '["unstorable"]') throw new SaveError("not this one");
      return save(value, key);
    };
    const c = new Cache({ values, calls: new Memory() });
    const key = await c.save(Call.of(identity, { x: ["unstorable"], y: [2] }), "ok");
    const lazy = await c.load(key);
    assert.deepEqual(await lazy.argument("x"), D(digest(["unstorable"])));
    assert.deepEqual(await lazy.argument("y"), [2]);
    assert.equal(await lazy.result(), "ok");
  });

  it("loads lazily: values only on access, from the cache the call came from", async () => {
    const c = fresh();
    const key = await c.save(Call.of(identity, { big: "x".repeat(1000) }), [1]);
    let loads = 0;
    const load = c.values.loadValue.bind(c.values);
    c.values.loadValue = (k) => (loads++, load(k));
    const lazy = await c.load(key);
    assert.equal(loads, 0);
    assert.equal(lazy.name, "f");
    assert.equal(lazy.version, 1);
    assert.deepEqual(await lazy.result(), [1]);
    assert.equal(loads, 1);
    await assert.rejects(lazy.argument("nope"), CacheMiss);
    const fetched = await lazy.fetch();
    assert.equal(fetched.key, key);
  });

  it("misses when a record's result value is gone (e.g. collected)", async () => {
    const c = fresh();
    const key = await c.save(Call.of(identity, { x: 1 }), { r: 1 });
    c.values.evictValue(digest({ r: 1 }));
    assert.equal(c.lookup(key), (await import("../src/cache-core.js")).MISS);
  });

  it("evict removes the record only; values stay for gc", async () => {
    const c = fresh();
    const key = await c.save(Call.of(identity, { x: 1 }), [5]);
    await c.evict(key.slice(0, 8));
    assert.equal(await c.contains(key), false);
    assert.deepEqual(await c.loadValue(digest([5])), [5]);
    await c.evict(key);
    await c.evict("ffff");
  });

  it("expands prefixes across calls and values, and shrinks each in its own keyspace", async () => {
    const c = fresh();
    const key = await c.save(Call.of(identity, { x: 1 }), [5]);
    assert.equal(await c.expand(key.slice(0, 6)), key);
    assert.equal(await c.expand(digest([5]).slice(0, 6)), digest([5]));
    await assert.rejects(c.expand("abc"), CacheMiss);
    const short = await c.shrink(key);
    assert.ok(short.length >= 4 && key.startsWith(short));
    const [s1, s2] = await c.shrinkAll([key, digest([5])]);
    assert.equal(await c.expand(s1!), key);
    assert.equal(await c.expand(s2!), digest([5]));
    await assert.rejects(c.shrink("f".repeat(64)), CacheMiss);
    c.values.saveValue(1, "abcd0".padEnd(64, "0"));
    c.calls.saveCall({ ...(await c.loadRecord(key))!, key: "abcd1".padEnd(64, "0") });
    await assert.rejects(c.expand("abcd"), AmbiguousDigestError);
  });

  it("skips a record that cannot be loaded in queries, with an error log", async () => {
    const c = fresh();
    await c.save(Call.of(identity, { x: 1 }), 1);
    const key2 = await c.save(Call.of(identity, { x: 2 }), 2);
    const load = c.calls.loadCall.bind(c.calls);
    c.calls.loadCall = (k: string) => {
      if (k === key2) throw new Error("corrupt");
      return load(k);
    };
    const logs = captureLogs();
    try {
      assert.equal(await c.query().count(), 1);
      assert.ok(logs.error.some((m) => m.includes("corrupt")));
    } finally {
      logs.restore();
    }
  });

  it("round-trips its config", async () => {
    const c = fresh();
    assert.deepEqual(c.toConfig(), { values: { type: "memory" }, calls: { type: "memory" } });
    const rebuilt = cacheFromConfig(c.toConfig());
    assert.ok(rebuilt instanceof Cache);
    assert.ok(rebuilt.values instanceof Memory);
    const v = cacheFromConfig({ values: { type: "void" }, calls: { type: "void" } }) as Cache;
    assert.ok(v.calls instanceof Void);
    assert.throws(() => cacheFromConfig({ values: { type: "nope" }, calls: { type: "memory" } }), /unknown store type 'nope'/);
    assert.throws(() => cacheFromConfig({ values: { type: "memory", root: "x" }, calls: { type: "memory" } }), /unknown option `root`/);
    assert.throws(() => cacheFromConfig({ values: { type: "memory" } }), /missing `calls`/);
  });
});

describe("inline values", () => {
  it("keeps small values in the record and out of the value store", async () => {
    const c = fresh();
    const key = await c.save(Call.of(identity, { n: 2, s: "short", flag: true, none: null, list: [1] }), 42);
    const record = (await c.loadRecord(key))!;
    assert.deepEqual(record.inline!.map(([, v]) => v).sort(), [2, 42, "short", true, null].sort());
    for (const [d, v] of record.inline!) assert.equal(d, digest(v));
    assert.deepEqual([...(c.values as Memory).listValues()], [digest([1])]);
    const lazy = await c.load(key);
    assert.equal(await lazy.result(), 42);
    assert.equal(await lazy.argument("s"), "short");
    assert.equal(await lazy.argument("none"), null);
    assert.equal(c.lookup(key), 42);
  });

  it("stores -0, NaN, long strings and bigints in the value store", async () => {
    const c = fresh();
    const long = "y".repeat(300);
    const key = await c.save(Call.of(identity, { a: -0, b: NaN, c: long, d: 1n }), 7);
    assert.deepEqual((await c.loadRecord(key))!.inline, [[digest(7), 7]]);
    assert.equal([...(c.values as Memory).listValues()].length, 4);
    assert.ok(Object.is(await (await c.load(key)).argument("a"), -0));
  });

  it("can be turned off", async () => {
    const c = new Cache({ values: new Memory(), calls: new Memory(), inline: false });
    const key = await c.save(Call.of(identity, { n: 2 }), 3);
    assert.equal((await c.loadRecord(key))!.inline, undefined);
    assert.equal([...(c.values as Memory).listValues()].length, 2);
    assert.deepEqual(c.toConfig(), { values: { type: "memory" }, calls: { type: "memory" }, inline: false });
    assert.equal((cacheFromConfig(c.toConfig()) as Cache).inline, false);
  });
});
