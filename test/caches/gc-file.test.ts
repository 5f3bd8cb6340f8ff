/**
 * Garbage collection over a FileStore, whose values are destructured into content-addressed parts: gc
 * must follow the parts (read from file headers, never deserialised) and keep what live calls reach.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, FileStore, digest, fleche, withCache } from "../../src/index.js";
import { tempDir } from "../helpers/project.js";

function fileCache(): Cache {
  const root = tempDir("fleche-gc-file-");
  // minPartSize 0: every part of these small values is an entry, so gc has parts to follow.
  return new Cache({ values: new FileStore({ root: `${root}/values`, minPartSize: 0 }), calls: new FileStore({ root: `${root}/calls` }) });
}

describe("gc over a destructuring FileStore", () => {
  it("keeps every part of live values, sweeps the parts only orphans reach", async () => {
    const c = fileCache();
    const shared = { table: [[1, 2], [3, 4]] };
    const build = fleche(function build(tag: string, withShared: boolean) {
      return withShared ? { tag: [tag], shared, own: [tag, tag] } : { tag: [tag], own: [[tag]] };
    }, { module: "gc-file" });
    await withCache(c, async () => {
      await build("keep", true);
      await build("drop", true);
      await build("alone", false);
    });
    const before = await c.valueKeys();
    assert.ok(before.length > 6, `values are split into parts (${before.length} entries)`);
    assert.ok(before.includes(digest(shared)), "the shared sub-structure has an entry of its own");

    await withCache(c, async () => {
      await build.query({ args: { tag: "drop" } }).evict();
      await build.query({ args: { tag: "alone" } }).evict();
    });
    const dry = await c.gc({ grace: 0, dryRun: true });
    assert.equal((await c.valueKeys()).length, before.length, "a dry run removes nothing");
    const report = await c.gc({ grace: 0 });
    assert.deepEqual(report.evicted.sort(), dry.evicted.sort());
    assert.ok(report.evicted.length >= 3);
    assert.ok(!report.evicted.includes(digest(shared)), "reachable from the live call: kept");

    const again = await withCache(c, () => build("keep", true));
    assert.deepEqual(again, { tag: ["keep"], shared, own: ["keep", "keep"] });
    assert.equal((await c.gc({ grace: 0 })).evicted.length, 0, "a second pass finds nothing more");
  });

  it("spares values written within the grace period", async () => {
    const c = fileCache();
    await c.values.saveValue({ orphan: [1, 2, 3] });
    assert.equal((await c.gc()).evicted.length, 0);
    assert.ok((await c.gc({ grace: 0 })).evicted.length > 0);
  });
});
