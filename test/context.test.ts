import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, ConfigError, Memory, Runtime, activeMeta, cache, fleche, meta, project, tags, withCache, withTags } from "../src/index.js";
import { resetConfig } from "../src/config/resolve.js";
import { captureLogs } from "./helpers/logs.js";
import { allKeys } from "../src/stores/keys.js";

const fresh = () => new Cache({ values: new Memory(), calls: new Memory() });

afterEach(() => resetConfig());

describe("active cache", () => {
  it("switches with cache(x) and restores on dispose", () => {
    const a = fresh();
    const b = fresh();
    const first = cache(a);
    assert.equal(cache(), a);
    {
      using _ = cache(b);
      assert.equal(cache(), b);
    }
    assert.equal(cache(), a);
    first.restore();
  });

  it("stays switched when the handle is discarded (sticky)", () => {
    const a = fresh();
    const before = cache();
    cache(a);
    assert.equal(cache(), a);
    cache(before);
  });

  it("nests: a sticky switch inside a scope ends with the scope", async () => {
    const a = fresh();
    const b = fresh();
    const c = fresh();
    const handle = cache(a);
    await withCache(b, async () => {
      cache(c);
      assert.equal(cache(), c);
    });
    assert.equal(cache(), a);
    handle.restore();
  });

  it("keeps concurrent async tasks with different scoped caches apart", async () => {
    const left = fresh();
    const right = fresh();
    let runs = 0;
    const f = fleche(async function ident(x: number) {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return x;
    });
    const task = (c: Cache, tag: string) =>
      withCache(c, async () => {
        for (let i = 0; i < 5; i++) {
          assert.equal(cache(), c, tag);
          await f(i);
          await new Promise((r) => setImmediate(r));
        }
      });
    await Promise.all([task(left, "left"), task(right, "right")]);
    assert.equal(runs, 10);
    assert.equal((await allKeys((p) => left.calls.listCalls(p))).length, 5);
    assert.equal((await allKeys((p) => right.calls.listCalls(p))).length, 5);
  });

  it("resolves the reserved names to singletons", () => {
    assert.equal(cache("memory").cache, cache("memory").cache);
    assert.notEqual(cache("memory").cache, cache("void").cache);
    cache("default");
  });

  it("void runs every call", async () => {
    let runs = 0;
    const f = fleche(function counted(x: number) {
      runs++;
      return x;
    });
    await withCache("void", async () => {
      await f(1);
      await f(1);
    });
    assert.equal(runs, 2);
  });

  it("uses an in-memory default and says so once on stderr", async () => {
    const logs = captureLogs();
    try {
      resetConfig();
      const previous = cache("default");
      cache("default");
      assert.equal(logs.info.filter((m) => m === "No config file found. Using default memory cache.").length, 1);
      previous.restore();
    } finally {
      logs.restore();
    }
  });

  it("rejects unknown names and non-caches with ConfigError", () => {
    assert.throws(() => cache("no-such-cache"), ConfigError);
    assert.throws(() => cache({} as never), ConfigError);
  });
});

describe("metadata context", () => {
  it("records Runtime by default", async () => {
    const c = fresh();
    const f = fleche(function timed(x: number) {
      return x;
    });
    await withCache(c, () => f(1));
    const [call] = await c.query().toArray();
    const runtime = call!.metadata.runtime!;
    for (const key of ["timestart", "timestop", "walltime", "cputime", "systime"]) assert.equal(typeof runtime[key], "number", key);
    assert.ok((runtime.timestop as number) >= (runtime.timestart as number));
    assert.ok((runtime.walltime as number) < 1);
  });

  it("tags and project scope with dispose, and stack on the active providers", async () => {
    const c = fresh();
    const f = fleche(function tagged(x: number) {
      return x;
    });
    await withCache(c, async () => {
      {
        using _ = project("alpha");
        using __ = tags({ phase: "train" });
        assert.equal(activeMeta().length, 3);
        await f(1);
      }
      await f(2);
    });
    const one = await c.query({ metadata: { tags: { project: "alpha", phase: "train" } } }).toArray();
    assert.equal(one.length, 1);
    assert.equal(await (await c.query({ metadata: { tags: {} } }).count()), 1);
    assert.equal(await c.query().count(), 2);
  });

  it("meta(...) replaces the providers; withTags scopes across awaits", async () => {
    const c = fresh();
    const f = fleche(function plain(x: number) {
      return x;
    });
    await withCache(c, async () => {
      const handle = meta();
      await f(1);
      handle.restore();
      await withTags({ run: 7 }, async () => {
        await new Promise((r) => setTimeout(r, 1));
        await f(2);
      });
    });
    const byArg = async (x: number) => (await c.query({ args: { x } }).only()).metadata;
    assert.deepEqual(await byArg(1), {});
    assert.equal((await byArg(2)).tags!.run, 7);
    assert.equal(typeof (await byArg(2)).runtime!.walltime, "number");
  });

  it("per-function meta providers run pre and post once per miss", async () => {
    const c = fresh();
    const seen: string[] = [];
    const f = fleche(
      function watched(x: number) {
        return x;
      },
      {
        meta: [
          {
            name: "watch",
            pre: (call) => (seen.push(`pre:${call.name}`), { before: 1 }),
            post: (_pre, _call, result) => (seen.push("post"), { result: result as number }),
          },
        ],
      },
    );
    await withCache(c, async () => {
      await f(5);
      await f(5);
    });
    assert.deepEqual(seen, ["pre:watched", "post"]);
    assert.deepEqual((await c.query().only()).metadata.watch, { before: 1, result: 5 });
    assert.ok(Runtime().name === "runtime");
  });
});
