/**
 * A query filter with an unknown key must be an error: ignored, it would match every call, and `evict`
 * or `transfer` with `pop` would act on the whole cache. These tests use real files (FileStore values,
 * SQLite call records) and check that a rejected filter leaves the cache as it was.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache } from "../../src/cache.js";
import { FlecheError } from "../../src/errors.js";
import { fleche } from "../../src/fleche.js";
import { withCache } from "../../src/context.js";
import { FileStore } from "../../src/stores/file/file-store.js";
import { Memory } from "../../src/stores/memory.js";
import { Sql } from "../../src/stores/sql/store.js";
import { transfer } from "../../src/caches/operations.js";
import { tempDirs } from "../helpers/temp.js";

const dir = tempDirs("filter-keys");

const power = fleche(function power(a: number, b: number) {
  return a ** b;
}, { module: "filter-keys" });

/** A persistent cache on disk holding three calls of `power`. */
async function onDisk(): Promise<Cache> {
  const root = dir();
  const c = new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new Sql({ url: `sqlite:///${join(root, "calls.db")}` }) });
  await withCache(c, async () => {
    for (const b of [1, 2, 3]) await power(2, b);
  });
  return c;
}

/** Asserts a `FLECHE_QUERY` error whose message names `key`, the accepted keys and, when given, a suggestion. */
function rejectsKey(key: string, accepted: readonly string[], suggestion?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof FlecheError, `expected a FlecheError, got ${String(error)}`);
    assert.equal(error.code, "FLECHE_QUERY");
    assert.match(error.message, new RegExp(`unknown filter key \`${key}\``));
    for (const name of accepted) assert.ok(error.message.includes(name), `${error.message} should list ${name}`);
    if (suggestion) assert.ok(error.message.includes(`did you mean \`${suggestion}\`?`), error.message);
    return true;
  };
}

const FILTER_KEYS = ["name", "module", "version", "codeDigest", "args", "result", "metadata"];

describe("unknown query filter keys", () => {
  it("cache.query() names the key, a suggestion and the accepted keys", async () => {
    const c = await onDisk();
    try {
      assert.throws(() => c.query({ arg: { a: 2 } } as never), rejectsKey("arg", FILTER_KEYS, "args"));
      assert.throws(() => c.query({ arguments: { a: 2 } } as never), rejectsKey("arguments", FILTER_KEYS, "args"));
      assert.throws(() => c.query({ nmae: "power" } as never), rejectsKey("nmae", FILTER_KEYS, "name"));
      // An unknown key is rejected even when its value is undefined: it is still a typo.
      assert.throws(() => c.query({ reslt: undefined } as never), rejectsKey("reslt", FILTER_KEYS, "result"));
      assert.throws(() => c.query({ args: [2] } as never), /`args` must be an object/);
      assert.equal(await c.query({ args: { a: 2 } }).count(), 3);
    } finally {
      await c.close();
    }
  });

  it("a rejected filter evicts nothing", async () => {
    const c = await onDisk();
    try {
      assert.throws(() => c.query({ arguments: { b: 1 } } as never).evict(), rejectsKey("arguments", FILTER_KEYS));
      assert.equal(await c.query().count(), 3);
      assert.equal(await c.query({ args: { b: 1 } }).evict(), 1);
      assert.equal(await c.query().count(), 2);
    } finally {
      await c.close();
    }
  });

  it("a rejected filter moves nothing with transfer({ pop: true })", async () => {
    const [source, target] = [await onDisk(), await onDisk()];
    await target.query().evict();
    try {
      assert.throws(() => source.query({ args: { b: 1 }, meta: {} } as never).transfer(target, { pop: true }), rejectsKey("meta", FILTER_KEYS, "metadata"));
      assert.throws(() => source.filter({ arg: { b: 1 } } as never), rejectsKey("arg", FILTER_KEYS, "args"));
      assert.equal(await source.query().count(), 3);
      assert.equal(await target.query().count(), 0);
      // The same filter, spelled right, moves exactly one call.
      const report = await transfer(source.filter({ args: { b: 1 } }), target, { pop: false });
      assert.equal(report.transferred.length, 1);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it("f.query() accepts only the filters of one function", async () => {
    const c = await onDisk();
    try {
      await withCache(c, async () => {
        const accepted = ["args", "metadata", "version", "result"];
        assert.throws(() => power.query({ arg: { a: 2 } } as never), rejectsKey("arg", accepted, "args"));
        // f.query sets the name itself: a name filter here is a mistake, not a narrowing.
        assert.throws(() => power.query({ name: "other" } as never), rejectsKey("name", accepted));
        assert.match(String(tryQuery(() => power.query({ arg: {} } as never))), /power\.query\(\)/);
        assert.equal(await power.query({ args: { b: 2 } }).count(), 1);
      });
    } finally {
      await c.close();
    }
  });

  it("an unknown metadata operator is an error too", () => {
    const c = new Cache({ values: new Memory(), calls: new Memory() });
    assert.throws(() => c.query({ metadata: { runtime: { walltime: { $gtt: 1 } } } }), (error: unknown) => {
      assert.ok(error instanceof FlecheError && error.code === "FLECHE_QUERY");
      assert.match(error.message, /\$gtt/);
      return true;
    });
  });
});

function tryQuery(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
}
