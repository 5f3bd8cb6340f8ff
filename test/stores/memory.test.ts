import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Memory, digestSymbol } from "../../src/index.js";
import { valueStoreSuite } from "../../src/testing/value-store.js";
import { callStoreSuite } from "../../src/testing/call-store.js";

valueStoreSuite({ name: "Memory", make: () => new Memory() });
callStoreSuite({ name: "Memory", make: () => new Memory() });

describe("Memory specifics", () => {
  it("keeps the prototype of class instances and isolates them", () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      norm() {
        return Math.hypot(this.x, this.y);
      }
      [digestSymbol]() {
        return ["Point", this.x, this.y];
      }
    }
    const store = new Memory();
    const p = new Point(3, 4);
    const key = store.saveValue(p);
    p.x = 100;
    const loaded = store.loadValue(key) as Point;
    assert.ok(loaded instanceof Point);
    assert.equal(loaded.norm(), 5);
  });

  it("keeps cycles and shared references inside a value", () => {
    const shared = { s: 1 };
    const value: Record<string, unknown> = { a: shared, b: shared };
    value.self = value;
    const store = new Memory();
    const loaded = store.loadValue(store.saveValue(value)) as Record<string, unknown>;
    assert.equal(loaded.self, loaded);
    assert.equal(loaded.a, loaded.b);
    assert.notEqual(loaded.a, shared);
  });

  it("hands out frozen records that cannot be changed through a loaded copy", () => {
    const store = new Memory();
    const record = {
      key: "a".repeat(64),
      name: "f",
      module: null,
      version: null,
      codeDigest: null,
      arguments: { x: "b".repeat(64) },
      result: "c".repeat(64),
      metadata: { tags: { t: 1 } },
    };
    store.saveCall(record);
    record.arguments.x = "mutated";
    const loaded = store.loadCall(record.key)!;
    assert.equal(loaded.arguments.x, "b".repeat(64));
    assert.throws(() => {
      (loaded.metadata.tags as Record<string, unknown>).t = 2;
    }, TypeError);
  });
});
