import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Memory, Rejected, fleche, withCache } from "../../src/index.js";
import { gc, readOnly, redigest } from "../../src/caches/operations.js";
import { ReadOnly } from "../../src/caches/read-only.js";
import { captureLogs } from "../helpers/logs.js";
import { fresh, keysOf, put } from "./helpers.js";

describe("ReadOnly", () => {
  it("serves what the cache holds and rejects saves and evictions", async () => {
    const base = fresh();
    const key = await put(base, 1, [1]);
    const view = base.readOnly();
    assert.deepEqual(await view.lookup(key), [1]);
    assert.deepEqual(await (await view.load(key)).result(), [1]);
    assert.equal(await view.query().count(), 1);
    await assert.rejects(put(view, 2), Rejected);
    await assert.rejects(view.evict(key), Rejected);
    await assert.rejects(view.query().evict(), Rejected, "calls it returns are bound to the view");
    assert.deepEqual(await keysOf(base), [key]);
  });

  it("under a wrapped function: returns results, stores nothing (not even arguments), warns once per call", async () => {
    const base = fresh();
    let runs = 0;
    const f = fleche(function len(list: number[]) {
      runs++;
      return list.length;
    });
    const logs = captureLogs();
    try {
      await withCache(base.readOnly(), async () => {
        assert.equal(await f([1, 2, 3]), 3);
        assert.equal(await f([1, 2, 3]), 3);
      });
      assert.equal(runs, 2);
      assert.equal(logs.warn.length, 2);
      assert.ok(logs.warn.every((w) => w.startsWith("Cache rejected save: read-only cache: not saving len")));
    } finally {
      logs.restore();
    }
    assert.deepEqual([...(base.values as Memory).listValues()], []);
    assert.deepEqual(await keysOf(base), []);
  });

  it("sees entries saved to the cache later", async () => {
    const base = fresh();
    const view = readOnly(base);
    assert.equal(readOnly(view), view, "wrapping twice is wrapping once");
    const key = await put(base, 1);
    assert.equal(await view.contains(key), true);
  });

  it("refuses gc and redigest", async () => {
    const view = new ReadOnly(fresh());
    await assert.rejects(gc(view), Rejected);
    await assert.rejects(redigest(view), Rejected);
  });
});
