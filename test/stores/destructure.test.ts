import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { digest, digestSymbol, registerDigest } from "../../src/index.js";
import { assemble, planEntries, type PartsNode, type PlannedEntry } from "../../src/stores/destructure.js";

const KEY = "9".repeat(64);

/** Reassemble a planned value the way a store does: load each child entry by key. */
function load(entries: readonly PlannedEntry[], key: string): unknown {
  const entry = entries.find((e) => e.key === key);
  assert.ok(entry, `entry ${key} is planned`);
  if (entry.node.kind === "whole") return structuredClone(entry.node.value);
  const parts = entry.node as PartsNode;
  return assemble(parts, parts.children.map((child) => load(entries, child)));
}

function plan(value: unknown, depth?: number): PlannedEntry[] {
  return planEntries(value, digest(value), depth);
}

describe("destructuring", () => {
  it("at depth 1 stores every non-empty container as an entry: [1, [2, 3]] is two entries", () => {
    const entries = plan([1, [2, 3]]);
    assert.deepEqual(
      entries.map((e) => e.key),
      [digest([2, 3]), digest([1, [2, 3]])],
    );
    assert.deepEqual(entries[0]!.node, { kind: "whole", value: [2, 3] });
    assert.deepEqual(entries[1]!.node, { kind: "array", items: [1, null], slots: [1], children: [digest([2, 3])] });
  });

  it("keeps shallow containers whole and empty containers inline", () => {
    assert.equal(plan({ a: 1, b: "x", c: [], d: {} }).length, 1);
    assert.equal(plan(new Map([["k", 1]])).length, 1);
  });

  it("at depth 0 stores every node, scalars included; at Infinity only opaque values split off", () => {
    const value = { a: [1, 2], b: "s" };
    const zero = plan(value, 0);
    for (const leaf of [1, 2, "s", [1, 2]]) assert.ok(zero.some((e) => e.key === digest(leaf)), `entry for ${JSON.stringify(leaf)}`);
    assert.equal(plan({ deep: [[[[1]]]] }, Infinity).length, 1);
    const withBinary = plan({ deep: [[1]], data: new Float64Array([1]) }, Infinity);
    assert.deepEqual(withBinary.map((e) => e.key), [digest(new Float64Array([1])), digest({ deep: [[1]], data: new Float64Array([1]) })]);
    assert.equal(plan({ deep: [[[1]]] }, 2).length, 3); // [[[1]]] (depth 3) and [[1]] (depth 2) split, [1] (depth 1) stays
  });

  it("gives opaque values their own entry and never takes them apart", () => {
    class Tagged {
      constructor(readonly items: number[][]) {}
      [digestSymbol]() {
        return ["Tagged", this.items];
      }
    }
    const hooked = { special: [[1, 2]] };
    const off = registerDigest((v) => v === hooked, () => "hooked");
    try {
      const value = { set: new Set([1]), bytes: new Uint8Array([1]), tagged: new Tagged([[1]]), hooked };
      const entries = plan(value);
      for (const part of [value.set, value.bytes, value.tagged, hooked]) {
        const entry = entries.find((e) => e.key === digest(part));
        assert.ok(entry, "opaque part has its own entry");
        assert.equal(entry.node.kind, "whole");
      }
      assert.ok(!entries.some((e) => e.key === digest([[1, 2]])), "a hooked object is not torn apart");
      assert.ok(!entries.some((e) => e.key === digest([1])), "a digest-method object is not torn apart");
    } finally {
      off();
    }
  });

  it("keeps dates, regexps and digest references inline like scalars", () => {
    assert.equal(plan({ when: new Date(0), re: /x/ }).length, 1);
  });

  it("stores a value with a shared reference or a cycle whole", () => {
    const shared = [1, 2];
    assert.deepEqual(plan({ a: shared, b: shared }).map((e) => e.node.kind), ["whole"]);
    const cyclic: unknown[] = [[1]];
    cyclic.push(cyclic);
    assert.equal(planEntries(cyclic, KEY).length, 1);
  });

  it("stores equal parts once", () => {
    const entries = plan([[1], [1], { x: [1] }]);
    assert.equal(entries.filter((e) => e.key === digest([1])).length, 1);
  });

  it("writes children before parents and the top value last, under the given key", () => {
    const entries = planEntries({ a: { b: { c: [1] } } }, KEY);
    assert.equal(entries.at(-1)!.key, KEY);
    const position = new Map(entries.map((e, i) => [e.key, i]));
    for (const [i, e] of entries.entries()) {
      if (e.node.kind !== "whole") for (const child of e.node.children) assert.ok(position.get(child)! < i);
    }
  });

  it("reassembles exactly: order of keys, Maps with container keys, objects without prototype", () => {
    const bare = Object.assign(Object.create(null) as object, { z: [1], a: [2] });
    const value = { z: 1, a: [[1], { y: [2], b: 3 }], m: new Map<unknown, unknown>([[{ k: [1] }, [2]], ["s", new Set([1])]]), bare };
    const entries = plan(value);
    assert.ok(entries.length > 5);
    const loaded = load(entries, digest(value)) as typeof value;
    assert.deepStrictEqual(loaded, value);
    assert.deepEqual(Object.keys(loaded), ["z", "a", "m", "bare"]);
    assert.deepEqual(Object.keys(loaded.a[1] as object), ["y", "b"]);
    assert.equal(Object.getPrototypeOf(loaded.bare), null);
    assert.equal(digest(loaded), digest(value));
  });

  it("keeps a value whole when a part has no digest (possible only under an explicit key)", () => {
    class NoDigest {}
    const value = { f: [new NoDigest()] };
    assert.deepEqual(planEntries(value, KEY).map((e) => e.node.kind), ["whole"]);
  });

  it("rejects malformed parts", () => {
    assert.throws(() => assemble({ kind: "object", items: ["a"], slots: [], children: [] }, []), /odd number/);
    assert.throws(() => assemble({ kind: "object", items: [1, 2], slots: [], children: [] }, []), /not a string/);
  });
});
