/**
 * The example store proves itself with the published conformance suites (`fleche/testing`), exactly as
 * the stores that ship with fleche do, plus what is particular to it. Run by `npm test`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Cache, cacheFromConfig, fleche, withCache } from "../../src/index.js";
import { callStoreSuite, valueStoreSuite } from "../../src/testing.js";
import { SharedMapStore, registerSharedMapStore } from "./shared-map-store.js";

registerSharedMapStore();

// Each case gets a fresh space; `reopen` opens a second store on the same space, like reopening a directory.
const fresh = () => new SharedMapStore({ space: randomUUID() });
// The suites hand back the store `make` built, typed by role; it is ours, so the cast is safe.
const reopen = (store: object) => new SharedMapStore({ space: (store as SharedMapStore).space });

valueStoreSuite({ name: "SharedMapStore (example)", make: fresh, reopen });
callStoreSuite({ name: "SharedMapStore (example)", make: fresh, reopen });

describe("SharedMapStore as a cache", () => {
  it("serves a wrapped function's hits, also through a cache built from its config", async () => {
    let runs = 0;
    const square = fleche((x: number) => (runs++, x * x), { name: "square", version: 1 });
    const space = randomUUID();
    const store = new SharedMapStore({ space });
    await withCache(new Cache({ values: store, calls: store }), () => square(7));
    const rebuilt = cacheFromConfig({ values: { type: "shared-map", space }, calls: { type: "shared-map", space } });
    assert.equal(await withCache(rebuilt, () => square(7)), 49);
    assert.equal(runs, 1);
  });
});
