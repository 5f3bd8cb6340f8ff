import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Cache, CacheStack, FlecheError, Memory, Rejected, SizeLimited, cacheFromConfig, digest, type CallRecord } from "../../src/index.js";
import { gc } from "../../src/caches/operations.js";
import { registerStore } from "../../src/stores/registry.js";
import { type ValueStore } from "../../src/stores/types.js";
import { JsonDirStore } from "../fixtures/json-dir-store.js";
import { REPO, runTs, tempDir } from "../helpers/project.js";
import { callOf, fresh, keysOf, put, sleep } from "./helpers.js";

const big = (tag: unknown) => ({ tag, pad: "p".repeat(300) }); // too big to travel inline in a record
const valueKeys = (c: Cache) => c.valueKeys();

function jsonCache(): Cache {
  const root = tempDir();
  return new Cache({ values: new JsonDirStore(join(root, "values")), calls: new JsonDirStore(join(root, "calls")) });
}

describe("gc", () => {
  it("removes nothing from an empty cache", async () => {
    const report = await fresh().gc();
    assert.deepEqual(report.evicted, []);
  });

  it("keeps values records refer to and removes orphans, returning what it removed", async () => {
    const c = fresh();
    const key = await put(c, big(1), big("result"));
    const orphans = [c.values.saveValue(big("o1")), c.values.saveValue(big("o2"))] as string[];
    const report = await c.gc();
    assert.deepEqual(report.evicted.sort(), orphans.sort());
    assert.equal(report.records, 1);
    assert.deepEqual(await (await c.load(key)).argument("x"), big(1));
    assert.deepEqual(await (await c.load(key)).result(), big("result"));
    assert.deepEqual((await c.gc()).evicted, []);
  });

  it("removes the values of evicted records (the usual clean-up: evict, then gc)", async () => {
    const c = fresh();
    await put(c, big(1), big(2));
    await c.query().evict();
    assert.equal((await c.gc()).evicted.length, 2);
    assert.deepEqual(await valueKeys(c), []);
  });

  it("dry runs report without removing", async () => {
    const c = fresh();
    const orphan = c.values.saveValue(big("o")) as string;
    const report = await c.gc({ dryRun: true });
    assert.deepEqual(report.evicted, [orphan]);
    assert.equal(report.dryRun, true);
    assert.deepEqual(await valueKeys(c), [orphan]);
  });

  it("follows destructured parts: shared parts stay, orphaned trees go", async () => {
    const c = jsonCache();
    const live = [[1, 2], ["three", [4]]];
    await put(c, live, "ok");
    const orphan = [[1, 2], [9, 10]];
    c.values.saveValue(orphan);
    const before = new Set(await valueKeys(c));
    const report = await c.gc({ grace: 0 });
    const evicted = new Set(report.evicted);
    assert.ok(evicted.has(digest(orphan)) && evicted.has(digest([9, 10])) && evicted.has(digest(9)));
    assert.ok(!evicted.has(digest([1, 2])) && !evicted.has(digest(1)), "a part shared with a live value stays");
    for (const k of [digest(live), digest([1, 2]), digest(["three", [4]]), digest([4]), digest(4), digest("three")]) assert.ok(before.has(k) && !evicted.has(k), k);
    assert.deepEqual(await (await c.load(callOf({ x: live }).key)).argument("x"), live);
  });

  it("never removes the values of a call being computed, through views too", async () => {
    for (const wrap of [(c: Cache) => c, (c: Cache) => new SizeLimited(c, { maxSize: 9 }), (c: Cache) => new CacheStack([c])]) {
      const c = jsonCache();
      const view = wrap(c);
      const prepared = await view.prepare(callOf({ x: [[1, 2], big("arg")] }));
      assert.deepEqual((await c.gc({ grace: 0 })).evicted, [], "open: every argument and part is spared");
      await prepared.commit(big("result"));
      assert.deepEqual((await c.gc({ grace: 0 })).evicted, []);
      assert.deepEqual(await (await c.load(prepared.key)).argument("x"), [[1, 2], big("arg")]);
      await c.evict(prepared.key);
      assert.ok((await c.gc({ grace: 0 })).evicted.length >= 3, "after the record goes, its values go");
    }
  });

  it("collects the arguments of an abandoned call", async () => {
    const c = fresh();
    const prepared = await c.prepare(callOf({ x: big(1) }));
    prepared.abandon();
    assert.deepEqual((await c.gc()).evicted, [digest(big(1))]);
  });

  it("forgets prepared calls that were dropped without commit or abandon", async () => {
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const c = fresh();
    await (async () => {
      await c.prepare(callOf({ x: big("dropped") }));
    })();
    let evicted: string[] = [];
    for (let attempt = 0; attempt < 50 && evicted.length === 0; attempt++) {
      collect();
      await sleep(10); // finalizers run in a later task
      evicted = (await c.gc()).evicted;
    }
    assert.deepEqual(evicted, [digest(big("dropped"))]);
  });

  it("spares a call that opens and commits in the middle of a sweep", async () => {
    const c = fresh();
    const reused = big("reused");
    for (let i = 0; i < 20; i++) c.values.saveValue(big(`orphan ${i}`));
    c.values.saveValue(reused); // an orphan now, an argument in a moment
    let saving: Promise<string> | undefined;
    const report = await c.gc({
      grace: 0,
      onProgress: (phase, done) => {
        if (phase === "sweep" && done === 1) saving = put(c, reused, big("r"));
      },
    });
    const key = await saving!;
    assert.ok(!report.evicted.includes(digest(reused)));
    assert.deepEqual(await (await c.load(key)).argument("x"), reused);
    assert.equal(report.evicted.length, 20);
  });

  it("loses nothing while calls are saved concurrently with repeated sweeps", async () => {
    registerStore("slow-memory", () => slowMemory());
    const c = cacheFromConfig({ values: { type: "slow-memory" }, calls: { type: "slow-memory" } }) as Cache;
    let stop = false;
    const sweeps = (async () => {
      let n = 0;
      while (!stop) {
        await c.gc({ grace: 0 });
        n++;
        await new Promise(setImmediate); // an empty cache sweeps in microtasks only: let the savers run

      }
      return n;
    })();
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 25; i++) await put(c, big(`${w}/${i}`), big(`result ${w}/${i}`));
      }),
    );
    stop = true;
    assert.ok((await sweeps) > 3);
    const keys = await keysOf(c);
    assert.equal(keys.length, 100);
    for (const key of keys) {
      const stored = await c.load(key);
      assert.equal(typeof ((await stored.argument("x")) as { tag: string }).tag, "string", `argument of ${key} survived`);
      assert.equal(typeof ((await stored.result()) as { tag: string }).tag, "string", `result of ${key} survived`);
    }
  });

  it("spares values younger than the grace period when the store can tell", async () => {
    const c = jsonCache();
    const orphan = c.values.saveValue(big("fresh")) as string;
    assert.deepEqual((await c.gc()).evicted, [], "default grace: 10 minutes");
    assert.equal((await c.gc()).spared, 1);
    assert.deepEqual((await c.gc({ grace: 0 })).evicted, [orphan]);
    await assert.rejects(c.gc({ grace: -1 }), /grace must be a number of seconds/);
  });

  it("spares what another process is computing with (grace period), across processes", async () => {
    const root = tempDir();
    const child = await runTs(join(REPO, "test/fixtures/prepare-child.ts"), [root], { cwd: root, home: root });
    assert.equal(child.code, 0, child.stderr);
    const argument = child.stdout.trim();
    const c = new Cache({ values: new JsonDirStore(join(root, "values")), calls: new JsonDirStore(join(root, "calls")) });
    assert.deepEqual((await c.gc()).evicted, []);
    assert.deepEqual(await c.valueKeys(), [argument]);
    assert.deepEqual((await c.gc({ grace: 0 })).evicted, [argument], "without a grace period it is an orphan like any other");
  });

  it("refuses to sweep when a record cannot be read, and removes nothing", async () => {
    const c = jsonCache();
    const key = await put(c, big(1));
    c.values.saveValue(big("orphan"));
    const calls = c.calls as JsonDirStore;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(calls.root, `${key}.json`), "{ torn");
    await assert.rejects(c.gc({ grace: 0 }), (e: FlecheError) => e.code === "FLECHE_GC_UNREADABLE" && e.message.includes(key) && /nothing was removed/.test(e.message));
    assert.equal((await c.valueKeys()).length, 2);
  });

  it("collects every writable layer of a stack, and refuses read-only caches", async () => {
    const [a, b, team] = [fresh(), fresh(), fresh()];
    for (const c of [a, b, team]) c.values.saveValue(big("orphan"));
    const report = await gc(new CacheStack([a, b, team.readOnly()]));
    assert.equal(report.evicted.length, 2);
    assert.equal((await team.valueKeys()).length, 1);
    await assert.rejects(gc(team.readOnly()), Rejected);
    await assert.rejects(gc(team.filter({})), Rejected);
  });
});

/** A memory store whose every operation takes a few milliseconds, so saves and sweeps interleave. */
function slowMemory(): ValueStore & import("../../src/stores/types.js").CallStore {
  const inner = new Memory();
  const slow = <A extends unknown[], R>(fn: (...a: A) => R) => async (...a: A): Promise<Awaited<R>> => {
    await sleep(Math.random() * 2);
    return fn(...a) as Awaited<R>;
  };
  return {
    type: "slow-memory",
    saveValue: slow((v: unknown, k?: string) => inner.saveValue(v, k)),
    loadValue: slow((k: string) => inner.loadValue(k)),
    containsValue: slow((k: string) => inner.containsValue(k)),
    evictValue: slow((k: string) => inner.evictValue(k)),
    listValues: (p?: string) => inner.listValues(p),
    saveCall: slow((r: CallRecord) => inner.saveCall(r)),
    loadCall: slow((k: string) => inner.loadCall(k)),
    containsCall: slow((k: string) => inner.containsCall(k)),
    evictCall: slow((k: string) => inner.evictCall(k)),
    listCalls: (p?: string) => inner.listCalls(p),
    toConfig: () => ({ type: "slow-memory" }),
  };
}
