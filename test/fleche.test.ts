import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Cache,
  CacheMiss,
  D,
  Indigestible,
  Memory,
  Rejected,
  cache,
  digest,
  fleche,
  withCache,
  type CacheLike,
} from "../src/index.js";
import { captureLogs, type Captured } from "./helpers/logs.js";

const fresh = () => new Cache({ values: new Memory(), calls: new Memory() });
let logs: Captured;
let active: CacheLike;
let restore: () => void;

beforeEach(() => {
  logs = captureLogs();
  active = fresh();
  restore = cache(active).restore;
});
afterEach(() => {
  restore();
  logs.restore();
});

/** A wrapped function that counts how often its body runs. */
function counted<A extends unknown[], R>(body: (...args: A) => R, options = {}) {
  const state = { runs: 0 };
  const f = fleche(function counted(...args: A) {
    state.runs++;
    return body(...args);
  }, { params: ["a", "b"], ...options });
  return Object.assign(f, { state });
}

describe("fleche: hits and misses", () => {
  it("runs the body once per distinct call and serves repeats from the cache", async () => {
    let runs = 0;
    const add = fleche(function add(a: number, b: number) {
      runs++;
      return a + b;
    });
    assert.equal(await add(2, 3), 5);
    assert.equal(await add(2, 3), 5);
    assert.equal(runs, 1);
    assert.equal(await add(3, 2), 5);
    assert.equal(runs, 2);
    assert.equal(await add.contains(2, 3), true);
    assert.equal(await active.contains(await add.digest(2, 3)), true);
  });

  it("keys by content, not identity", async () => {
    const f = counted((a: { x: number[] }) => a.x.length);
    await f({ x: [1, 2] });
    await f({ x: [1, 2] });
    assert.equal(f.state.runs, 1);
  });

  it("always returns a promise, for sync and async bodies alike", async () => {
    const sync = fleche(function sync(x: number) {
      return x * 2;
    });
    const async_ = fleche(async function asyncDouble(x: number) {
      return x * 2;
    });
    const p = sync(2);
    assert.ok(p instanceof Promise);
    assert.equal(await p, 4);
    assert.equal(await async_(2), 4);
    assert.equal(await async_(2), 4);
  });

  it("keeps the name and length of the wrapped function", () => {
    const f = fleche(function threeArgs(_a: number, _b: number, _c = 1) {
      return 1;
    });
    assert.equal(f.name, "threeArgs");
    assert.equal(f.length, 2);
    assert.equal(f.original.name, "threeArgs");
  });

  it("distinguishes values JavaScript distinguishes", async () => {
    const f = counted((a: unknown) => typeof a);
    for (const v of [1, "1", 1n, 0, -0, null, [1], new Set([1])]) await f(v);
    assert.equal(f.state.runs, 8);
  });

  it("keys defaults like explicit values and drops trailing undefined", async () => {
    let runs = 0;
    const f = fleche(function withDefault(a: number, b = 10) {
      runs++;
      return a + b;
    });
    await f(1);
    await f(1, 10);
    await f(1, undefined);
    assert.equal(runs, 1);
    assert.equal(await f.digest(1), await f.digest(1, 10));
    await f(1, 11);
    assert.equal(runs, 2);
  });

  it("serves the stored result even when the caller mutates what it got", async () => {
    const f = fleche(function list(n: number) {
      return Array.from({ length: n }, (_, i) => i);
    });
    const first = await f(3);
    first.push(99);
    assert.deepEqual(await f(3), [0, 1, 2]);
  });

  it("does not cache undefined results, with a warning", async () => {
    let runs = 0;
    const f = fleche(function nothing(_x: number) {
      runs++;
      return undefined;
    });
    assert.equal(await f(1), undefined);
    assert.equal(await f(1), undefined);
    assert.equal(runs, 2);
    assert.ok(logs.warn.some((m) => m.includes("returned undefined")));
  });

  it("caches null results (a legitimate value)", async () => {
    const f = counted((_a: number) => null);
    assert.equal(await f(1), null);
    assert.equal(await f(1), null);
    assert.equal(f.state.runs, 1);
  });

  it("propagates rejections unchanged and does not cache them", async () => {
    let runs = 0;
    const boom = new Error("boom");
    const f = fleche(async function fails(_x: number) {
      runs++;
      throw boom;
    });
    await assert.rejects(f(1), (e) => e === boom);
    await assert.rejects(f(1), (e) => e === boom);
    assert.equal(runs, 2);
    assert.equal(await f.contains(1), false);
  });

  it("propagates synchronous throws as rejections", async () => {
    const f = fleche(function throwsSync(_x: number): number {
      throw new RangeError("nope");
    });
    await assert.rejects(f(1), RangeError);
  });
});

describe("fleche: staying out of the way", () => {
  it("runs an indigestible argument uncached with one warning (per cause: the repeat is logged at debug level)", async () => {
    const f = counted((a: unknown) => typeof a);
    assert.equal(await f(Symbol("s")), "symbol");
    assert.equal(await f(Symbol("s")), "symbol");
    assert.equal(f.state.runs, 2);
    assert.equal(logs.warn.filter((m) => m.includes("No hash for argument")).length, 1);
    assert.equal(logs.debug.filter((m) => m.includes("No hash for argument") && m.includes("again: 2 times")).length, 1);
    assert.equal([...((active as Cache).calls as Memory).listCalls()].length, 0);
  });

  it("throws instead under strict", async () => {
    const f = counted((a: unknown) => typeof a, { strict: true });
    await assert.rejects(f(Symbol("s")), Indigestible);
    assert.equal(f.state.runs, 0);
  });

  it("runs uncached when a required argument is missing", async () => {
    let runs = 0;
    const f = fleche(
      function seeded(n: number, seed?: number) {
        runs++;
        return n + (seed ?? 0);
      },
      { require: "seed" },
    );
    await f(1);
    await f(1);
    assert.equal(runs, 2);
    assert.ok(logs.warn.some((m) => m.includes("Missing required arguments") && m.includes("seed")));
    await f(1, 5);
    await f(1, 5);
    assert.equal(runs, 3);
  });

  it("answers contains() false and load() CacheMiss when a required argument is missing", async () => {
    const f = fleche(
      function seeded(n: number, seed?: number) {
        return n + (seed ?? 0);
      },
      { require: "seed" },
    );
    await f(1);
    assert.equal(await f.contains(1), false);
    await assert.rejects(f.load(1), (error: unknown) => error instanceof CacheMiss && /seed/.test(error.message));
    await f(1, 5);
    assert.equal(await f.contains(1, 5), true);
    assert.equal(await f.load(1, 5), 6);
  });

  it("rejects unknown ignore/require names when wrapping", () => {
    assert.throws(() => fleche((a: number) => a, { ignore: "b" }), /option `ignore` names 'b'/);
  });

  it("leaves ignored parameters out of the key and the record", async () => {
    let runs = 0;
    const f = fleche(
      function verbose(x: number, log: boolean) {
        runs++;
        return log ? x : x;
      },
      { ignore: ["log"] },
    );
    await f(1, true);
    await f(1, false);
    assert.equal(runs, 1);
    const [call] = await f.query().toArray();
    assert.deepEqual(Object.keys(call!.argumentDigests), ["x"]);
  });

  it("returns the result when the cache refuses the save", async () => {
    const refusing = fresh();
    refusing.commit = async () => {
      throw new Rejected("read-only for this test");
    };
    await withCache(refusing, async () => {
      const f = counted((a: number) => a + 1);
      assert.equal(await f(1), 2);
      assert.equal(await f(1), 2);
      assert.equal(f.state.runs, 2);
    });
    assert.ok(logs.warn.some((m) => m.includes("Cache rejected save")));
  });

  it("runs uncached when the cache cannot prepare or look up (a store away)", async () => {
    const broken = fresh();
    broken.lookup = () => {
      throw new Error("server away");
    };
    await withCache(broken, async () => {
      const f = counted((a: number) => a * 3);
      assert.equal(await f(2), 6);
    });
    assert.ok(logs.warn.some((m) => m.includes("server away")));
  });

  it("does not store results it cannot digest, but returns them", async () => {
    class Opaque {}
    const f = counted((_a: number) => new Opaque());
    assert.ok((await f(1)) instanceof Opaque);
    assert.ok((await f(1)) instanceof Opaque);
    assert.equal(f.state.runs, 2);
  });
});

describe("fleche: two-phase save", () => {
  it("keys on the arguments as passed, even when the body mutates them", async () => {
    let runs = 0;
    const f = fleche(function appends(list: number[]) {
      runs++;
      list.push(99);
      return list.length;
    });
    assert.equal(await f([1, 2]), 3);
    assert.equal(await f([1, 2]), 3);
    assert.equal(runs, 1);
    assert.equal(await f([1, 2, 99]), 4);
    assert.equal(runs, 2);
    const [call] = await f.query({ args: { list: [1, 2] } }).toArray();
    assert.deepEqual(await call!.argument("list"), [1, 2]);
  });
});

describe("fleche: D() references", () => {
  it("loads top-level references before the body and keys them like the value", async () => {
    const seen: unknown[] = [];
    const f = fleche(function sum(xs: number[]) {
      seen.push(xs);
      return xs.reduce((a, b) => a + b, 0);
    });
    const valueKey = await (active as Cache).values.saveValue([1, 2, 3]);
    assert.equal(valueKey, digest([1, 2, 3]));
    assert.equal(await f.digest(D(valueKey)), await f.digest([1, 2, 3]));
    assert.equal(await f(D(valueKey.slice(0, 10))), 6);
    assert.deepEqual(seen, [[1, 2, 3]]);
    assert.equal(await f([1, 2, 3]), 6);
    assert.equal(seen.length, 1);
  });

  it("fails with CacheMiss when a reference is not stored", async () => {
    const f = fleche((xs: number[]) => xs.length);
    await assert.rejects(f(D(digest("nowhere"))), CacheMiss);
  });

  it("passes references nested in containers through unexpanded", async () => {
    const f = fleche((xs: unknown[]) => xs[0]);
    const ref = D(digest(1));
    assert.equal(await f([ref]), ref);
  });
});

describe("fleche: single flight", () => {
  it("shares one execution between concurrent identical calls", async () => {
    let runs = 0;
    const f = fleche(async function slow(x: number) {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return x * 2;
    });
    const results = await Promise.all([f(1), f(1), f(1), f(2)]);
    assert.deepEqual(results, [2, 2, 2, 4]);
    assert.equal(runs, 2);
  });

  it("does not share executions between different caches", async () => {
    let runs = 0;
    const f = fleche(async function slow2(x: number) {
      runs++;
      await new Promise((r) => setTimeout(r, 10));
      return x;
    });
    await Promise.all([withCache(fresh(), () => f(1)), withCache(fresh(), () => f(1))]);
    assert.equal(runs, 2);
  });
});

describe("fleche: helpers", () => {
  it("load returns the stored result without running, or throws CacheMiss", async () => {
    const f = counted((a: number, b: number) => a * b);
    await assert.rejects(f.load(2, 3), CacheMiss);
    await f(2, 3);
    assert.equal(await f.load(2, 3), 6);
    assert.equal(f.state.runs, 1);
  });

  it("call describes the record it would store", async () => {
    const add = fleche(function add(a: number, b: number) {
      return a + b;
    }, { version: 2, module: "tests:add" });
    const call = await add.call(2, 3);
    assert.equal(call.key, await add.digest(2, 3));
    assert.deepEqual(call.arguments, { a: 2, b: 3 });
    const record = call.record(null);
    assert.deepEqual(record.arguments, { a: digest(2), b: digest(3) });
    assert.equal(record.version, 2);
    assert.equal(record.module, "tests:add");
  });

  it("rerun recomputes and overwrites, nested cached calls included", async () => {
    let inner = 0;
    let outer = 0;
    const leaf = fleche(function leaf(x: number) {
      inner++;
      return x + inner * 100;
    });
    const root = fleche(async function root(x: number) {
      outer++;
      return (await leaf(x)) + 1;
    });
    assert.equal(await root(1), 102);
    assert.equal(await root(1), 102);
    assert.equal(await root.rerun(1), 202);
    assert.equal([inner, outer].join(), "2,2");
    assert.equal(await root(1), 202);
    assert.equal(await leaf(1), 201);
  });

  it("bind freezes the active cache and pre-applies arguments", async () => {
    const elsewhere = fresh();
    const f = counted((a: number, b: number) => a - b);
    const bound = withCache(elsewhere, () => f.bind(10));
    assert.equal(await bound(3), 7);
    assert.equal(await withCache(elsewhere, () => f.contains(10, 3)), true);
    assert.equal(await f.contains(10, 3), false);
  });

  it("exposes the helpers under .fleche too", async () => {
    const f = counted((a: number) => a);
    assert.equal(await f.fleche.digest(1), await f.digest(1));
    assert.equal(f.fleche.original, f.original);
  });

  it("versions separate entries; module separates equally named functions", async () => {
    const v1 = fleche((x: number) => x, { name: "same", version: 1, module: "m" });
    const v2 = fleche((x: number) => x, { name: "same", version: 2, module: "m" });
    const other = fleche((x: number) => x, { name: "same", version: 1, module: "n" });
    const keys = new Set([await v1.digest(1), await v2.digest(1), await other.digest(1)]);
    assert.equal(keys.size, 3);
    const s1 = fleche((x: number) => x, { name: "same", version: "1", module: "m" });
    assert.notEqual(await s1.digest(1), await v1.digest(1));
  });

  it("hashCode puts the source into the key", async () => {
    const a = fleche((x: number) => x + 1, { name: "f", module: "m", hashCode: true });
    const b = fleche((x: number) => x + 2, { name: "f", module: "m", hashCode: true });
    const c = fleche((x: number) => x + 2, { name: "f", module: "m" });
    const d = fleche((x: number) => x + 3, { name: "f", module: "m" });
    assert.notEqual(await a.digest(1), await b.digest(1));
    assert.equal(await c.digest(1), await d.digest(1));
  });

  it("digests as the function it wraps", () => {
    function original(x: number) {
      return x;
    }
    assert.equal(digest(fleche(original)), digest(original));
  });

  it("query finds this function's calls by argument content", async () => {
    const f = counted((a: number, b: number) => a + b);
    await f(1, 5);
    await f(2, 5);
    await f(1, 6);
    assert.equal(await f.query().count(), 3);
    assert.equal(await f.query({ args: { b: 5 } }).count(), 2);
    assert.equal(await f.query({ args: { a: 1 } }).count(), 2);
    assert.equal(await f.query({ args: { a: 1, b: 6 } }).count(), 1);
    assert.equal(await f.query({ result: 7 }).count(), 2);
    assert.equal(await f.query({ args: { a: Symbol("x") } }).count(), 0);
    assert.ok(logs.warn.some((m) => m.includes("No hash for query argument")));
  });
});

describe("fleche: methods and this", () => {
  it("keys the receiver when the body reads this", async () => {
    class Scaler {
      runs = 0;
      constructor(readonly factor: number) {}
      [Symbol.for("fleche.digest")]() {
        return ["Scaler", this.factor];
      }
    }
    const scale = fleche(function scale(this: Scaler, x: number) {
      this.runs++;
      return x * this.factor;
    });
    const two = new Scaler(2);
    const three = new Scaler(3);
    assert.equal(await scale.apply(two, [5]), 10);
    assert.equal(await scale.apply(three, [5]), 15);
    assert.equal(await scale.apply(new Scaler(2), [5]), 10);
    assert.equal(two.runs + three.runs, 2);
  });
});
