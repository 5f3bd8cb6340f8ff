import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Void, digest } from "../../src/index.js";
import { valueStoreSuite } from "../../src/testing/value-store.js";
import { callStoreSuite } from "../../src/testing/call-store.js";

valueStoreSuite({ name: "Void", make: () => new Void(), keeps: false });
callStoreSuite({ name: "Void", make: () => new Void(), keeps: false });

describe("Void specifics", () => {
  it("returns the digest it would have stored under", () => {
    assert.equal(new Void().saveValue([1, 2]), digest([1, 2]));
  });
});
