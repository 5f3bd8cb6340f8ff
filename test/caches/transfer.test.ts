import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { transfer } from "../../src/index.js";
import { captureLogs } from "../helpers/logs.js";
import { fresh, keysOf, put } from "./helpers.js";

describe("cache.transfer", () => {
  it("copies every call, like query().transfer", async () => {
    const [src, dst] = [fresh(), fresh()];
    const keys = [await put(src, [1], { r: 1 }), await put(src, 2)];
    const report = await src.transfer(dst);
    assert.deepEqual([...report.transferred].sort(), [...keys].sort());
    assert.deepEqual(await keysOf(dst), [...keys].sort());
    assert.deepEqual(await (await dst.load(keys[0]!)).argument("x"), [1]);
    assert.deepEqual((await dst.loadRecord(keys[0]!))!.metadata, (await src.loadRecord(keys[0]!))!.metadata);
  });

  it("keeps conflicting calls of the target unless overwrite; pop never removes what it skipped", async () => {
    const [src, dst] = [fresh(), fresh()];
    const shared = await put(src, 1, "source");
    await put(dst, 1, "target");
    const moved = await put(src, 2);
    const logs = captureLogs();
    try {
      const report = await transfer(src, dst, { pop: true });
      assert.deepEqual(report.skipped, [shared]);
      assert.deepEqual(report.transferred, [moved]);
      assert.ok(logs.warn.some((w) => w.includes(`Not evicting ${shared}`)));
    } finally {
      logs.restore();
    }
    assert.equal(await dst.lookup(shared), "target");
    assert.deepEqual(await keysOf(src), [shared]);
    await src.transfer(dst, { overwrite: true, pop: true });
    assert.equal(await dst.lookup(shared), "source");
    assert.deepEqual(await keysOf(src), []);
  });

  it("reports progress per call", async () => {
    const [src, dst] = [fresh(), fresh()];
    for (let i = 0; i < 3; i++) await put(src, i);
    const seen: number[] = [];
    await src.transfer(dst, { onProgress: (r) => seen.push(r.transferred.length + r.skipped.length) });
    assert.deepEqual(seen, [1, 2, 3]);
  });
});
