/** The memory behind the replay check of signed records (src/stores/file/freshness.ts). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Freshness, REMEMBERED } from "../../../src/stores/file/freshness.js";

describe("Freshness", () => {
  it("stamps increasing write times per key, even when the clock does not move", () => {
    const freshness = new Freshness();
    const key = "ab".repeat(32);
    const stamps = Array.from({ length: 5 }, () => freshness.stamp(key));
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i]! > stamps[i - 1]!);
    assert.ok(stamps[0]! >= Date.now() - 1000);
  });

  it("reports a write time older than the newest seen, and accepts equal or newer ones", () => {
    const freshness = new Freshness();
    const key = "cd".repeat(32);
    assert.equal(freshness.seen(key, 1_000), undefined);
    assert.equal(freshness.seen(key, 2_000), undefined);
    assert.equal(freshness.seen(key, 2_000), undefined, "the same record read again");
    assert.equal(freshness.seen(key, 1_000), 2_000, "the older one is a replay");
    const written = freshness.stamp(key);
    assert.equal(freshness.seen(key, 2_000), written, "older than this store's own write");
  });

  it(`remembers the ${REMEMBERED} keys seen last, and forgets older ones (the documented limit)`, () => {
    const freshness = new Freshness();
    const first = "00".repeat(32);
    freshness.seen(first, 5_000);
    for (let i = 1; i < REMEMBERED; i++) freshness.seen(i.toString(16).padStart(64, "f"), 1);
    assert.equal(freshness.seen(first, 1_000), 5_000, "still remembered");
    freshness.seen(first, 5_000); // read again: now the key seen last
    for (let i = 0; i < REMEMBERED - 1; i++) freshness.seen(i.toString(16).padStart(64, "e"), 1);
    assert.equal(freshness.seen(first, 1_000), 5_000, "reading it again kept it");
    for (let i = 0; i < REMEMBERED; i++) freshness.seen(i.toString(16).padStart(64, "d"), 1);
    assert.equal(freshness.seen(first, 1_000), undefined, "forgotten after as many other keys");
  });
});
