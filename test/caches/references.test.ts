/**
 * The cache-level check of references: records whose values are missing, found (following destructured
 * parts), re-linked from another cache of a composition, or removed. Real stores: Memory, FileStore files
 * and the jsondir test store.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cache, CachePool, CacheStack, FileStore, Memory, digest } from "../../src/index.js";
import { checkReferences } from "../../src/caches/references.js";
import { JsonDirStore } from "../fixtures/json-dir-store.js";
import { tempDirs } from "../helpers/temp.js";
import { callOf, fresh, keysOf, put } from "./helpers.js";

const dir = tempDirs("references");

describe("checkReferences", () => {
  it("finds records whose result or argument values are missing, and changes nothing without repair", async () => {
    const c = fresh();
    const intact = await put(c, [1], ["one"]);
    const lostResult = await put(c, [2], ["two"]);
    const lostArgument = await put(c, [3], ["three"]);
    const inline = await put(c, 4, "small"); // argument and result travel inside the record
    await c.values.evictValue(digest(["two"]));
    await c.values.evictValue(digest([3]));

    const [report] = await checkReferences(c);
    assert.equal(report!.records, 4);
    assert.deepEqual([...report!.danglingCalls].sort(), [lostResult, lostArgument].sort());
    assert.deepEqual(
      report!.dangling.map((d) => [d.call, d.role, d.parameter, d.value, d.problem]).sort(),
      [
        [lostArgument, "argument", "x", digest([3]), `argument 'x': value ${digest([3])} is missing`],
        [lostResult, "result", undefined, digest(["two"]), `result: value ${digest(["two"])} is missing`],
      ].sort(),
    );
    assert.deepEqual(report!.removed, []);
    assert.deepEqual(await keysOf(c), [intact, lostResult, lostArgument, inline].sort(), "nothing removed without repair");
  });

  it("tells an argument named 'result' from the result", async () => {
    const c = fresh();
    const key = await c.save(callOf({ result: [8] }), ["eight"]);
    await c.values.evictValue(digest([8]));
    const [report] = await checkReferences(c);
    assert.deepEqual(
      report!.dangling.map((d) => [d.call, d.role, d.parameter]),
      [[key, "argument", "result"]],
    );
  });

  it("with repair removes records that miss their result or an argument, and keeps the others", async () => {
    const c = fresh();
    const intact = await put(c, [1], ["one"]);
    const lostResult = await put(c, [2], ["two"]);
    const lostArgument = await put(c, [3], ["three"]);
    await c.values.evictValue(digest(["two"]));
    await c.values.evictValue(digest([3]));
    const [report] = await checkReferences(c, { repair: true });
    assert.deepEqual([...report!.removed].sort(), [lostResult, lostArgument].sort());
    assert.deepEqual(await keysOf(c), [intact]);
    const [again] = await checkReferences(c);
    assert.deepEqual(again!.dangling, []);
  });

  it("follows destructured parts: a record whose value lost a part is dangling", async () => {
    const root = dir();
    const values = new FileStore({ root, minPartSize: 0 });
    const c = new Cache({ values, calls: new Memory() });
    const result = { table: [[1, 2], [3, 4]], label: "t" };
    const key = await c.save(callOf({ x: [9] }), result);
    const part = digest([1, 2]);
    rmSync(join(root, part.slice(0, 2), part));
    const [report] = await checkReferences(c);
    assert.deepEqual(report!.danglingCalls, [key]);
    assert.equal(report!.dangling[0]!.missing, part);
    assert.match(report!.dangling[0]!.problem, new RegExp(`^result: part ${part} of value ${digest(result)} is missing$`));
  });

  it("counts values the store's own check found damaged as missing, without reading them", async () => {
    const c = fresh();
    const key = await put(c, [1], ["one"]);
    const [report] = await checkReferences(c, { unusable: new Set([digest(["one"])]) });
    assert.deepEqual(report!.danglingCalls, [key]);
    assert.match(report!.dangling[0]!.problem, /is damaged$/);
  });

  it("never loops on an entry that names itself as its part", async () => {
    const values = new JsonDirStore(dir());
    const c = new Cache({ values, calls: new Memory() });
    const key = await c.save(callOf({ x: [7] }), ["looped"]);
    const looped = digest(["looped"]);
    writeFileSync(join(values.root, `${looped}.json`), JSON.stringify({ parts: [looped] }));
    const [report] = await checkReferences(c);
    assert.deepEqual(report!.danglingCalls, [key]);
    assert.match(report!.dangling[0]!.problem, /refers to itself$/);
  });

  it("in a stack, re-links a missing value from another layer instead of removing the record", async () => {
    const top = fresh();
    const bottom = fresh();
    const stack = new CacheStack([top, bottom]);
    const key = await put(top, [5], ["five"]);
    await put(bottom, [5], ["five"]);
    await top.values.evictValue(digest(["five"]));
    await top.values.evictValue(digest([5]));
    const reports = await checkReferences(stack, { repair: true });
    assert.deepEqual(reports.map((r) => r.path), ["layer 0 ", "layer 1 "]);
    assert.deepEqual(reports[0]!.relinked, [key]);
    assert.deepEqual(reports[0]!.removed, []);
    assert.deepEqual(await (await top.load(key)).result(), ["five"]);
    assert.deepEqual(await (await top.load(key)).argument("x"), [5]);
    assert.deepEqual(reports[1]!.dangling, []);
  });

  it("never re-links a value that does not digest to the missing key: the record is removed", async () => {
    const top = fresh();
    const bottom = fresh();
    const key = await put(top, [9], ["nine"]);
    await top.values.evictValue(digest(["nine"]));
    await bottom.values.saveValue(["not nine"], digest(["nine"])); // a wrong value under the key
    const [report] = await checkReferences(new CacheStack([top, bottom]), { repair: true });
    assert.deepEqual(report!.relinked, []);
    assert.deepEqual(report!.removed, [key]);
  });

  it("reports but never repairs the members of a pool", async () => {
    const a = fresh();
    const b = fresh();
    const key = await put(a, [10], ["ten"]);
    await a.values.evictValue(digest(["ten"]));
    const reports = await checkReferences(new CachePool([a, b]), { repair: true });
    assert.deepEqual(reports.map((r) => [r.path, r.readOnly]), [["member 0 ", true], ["member 1 ", true]]);
    assert.deepEqual(reports[0]!.danglingCalls, [key]);
    assert.deepEqual(reports[0]!.removed, []);
    assert.deepEqual(await keysOf(a), [key]);
  });

  it("reports but never repairs caches under a read-only view", async () => {
    const c = fresh();
    const key = await put(c, [6], ["six"]);
    await c.values.evictValue(digest(["six"]));
    const [report] = await checkReferences(c.readOnly(), { repair: true });
    assert.equal(report!.readOnly, true);
    assert.deepEqual(report!.danglingCalls, [key]);
    assert.deepEqual(report!.removed, []);
    assert.deepEqual(await keysOf(c), [key]);
  });

  it("reports progress per record", async () => {
    const c = fresh();
    for (let i = 0; i < 3; i++) await put(c, [i]);
    const seen: [number, number][] = [];
    await checkReferences(c, { onProgress: (_path, done, total) => seen.push([done, total]) });
    assert.deepEqual(seen.at(-1), [3, 3]);
  });
});
