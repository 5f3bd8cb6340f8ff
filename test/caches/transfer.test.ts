import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheMiss, Digest, digest } from "../../src/index.js";
import { transfer } from "../../src/caches/operations.js";
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
      assert.equal(logs.warn.length, 0, "a skip is routine: counted in the report, not warned about");
      assert.ok(logs.debug.some((d) => d.includes(`Not transferring ${shared}`) && d.includes("it stays in the source")));
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

  it("does not copy calls whose values are missing at the source, warns, and keeps them there under pop", async () => {
    const [src, dst] = [fresh(), fresh()];
    const intact = await put(src, [1]);
    const lostResult = await put(src, [2], ["result two"]);
    const lostArgument = await put(src, [3], ["result three"]);
    await src.values.evictValue(digest(["result two"]));
    await src.values.evictValue(digest([3]));
    const logs = captureLogs();
    let report;
    try {
      report = await transfer(src, dst, { pop: true });
    } finally {
      logs.restore();
    }
    assert.deepEqual(report.transferred, [intact]);
    assert.deepEqual([...report.dangling].sort(), [lostResult, lostArgument].sort());
    assert.deepEqual(await keysOf(dst), [intact]);
    assert.deepEqual(await keysOf(src), [lostResult, lostArgument].sort(), "dangling calls stay in the source");
    assert.ok(logs.warn.some((w) => w.includes(`Not transferring ${lostResult}`) && w.includes(`its result ${digest(["result two"])} is missing`)));
    assert.ok(logs.warn.some((w) => w.includes(`Not transferring ${lostArgument}`) && w.includes(`'x' (${digest([3])})`)));
  });

  it("with allowDangling copies a call whose argument is missing, as a digest-only reference, with a warning; never one without its result", async () => {
    const [src, dst] = [fresh(), fresh()];
    const lostArgument = await put(src, [3], ["result three"]);
    const lostResult = await put(src, [4], ["result four"]);
    await src.values.evictValue(digest([3]));
    await src.values.evictValue(digest(["result four"]));
    const logs = captureLogs();
    let report;
    try {
      report = await src.transfer(dst, { allowDangling: true });
    } finally {
      logs.restore();
    }
    assert.deepEqual(report.transferred, [lostArgument]);
    assert.deepEqual(report.dangling, [lostResult]);
    assert.ok(logs.warn.some((w) => w.includes(`Transferring ${lostArgument}`) && w.includes("digest-only reference")));
    const copied = await dst.load(lostArgument);
    assert.deepEqual(await copied.result(), ["result three"]);
    assert.equal((await copied.loadArguments()).missing[0], "x");
  });

  it("loading an argument whose value is gone returns its Digest with a warning naming the call; a missing result is a CacheMiss naming it", async () => {
    const c = fresh();
    const key = await put(c, [5], ["five"]);
    await c.values.evictValue(digest([5]));
    await c.values.evictValue(digest(["five"]));
    const call = await c.load(key);
    const logs = captureLogs();
    try {
      const value = await call.argument("x");
      assert.ok(value instanceof Digest);
      assert.equal((value as Digest).hex, digest([5]));
      await call.argument("x"); // warned once per call and argument
    } finally {
      logs.restore();
    }
    assert.equal(logs.warn.length, 1);
    assert.match(logs.warn[0]!, new RegExp(`Argument 'x' of f \\(call ${key}\\) is not stored in its cache \\(value ${digest([5])} is missing\\)`));
    assert.deepEqual(await call.loadArguments(), { values: { x: new Digest(digest([5])) }, missing: ["x"] });
    await assert.rejects(call.result(), (e: unknown) => e instanceof CacheMiss && e.message.includes(`The result of f (call ${key}), value ${digest(["five"])}, cannot be loaded`));
  });
});
