/**
 * Cyclic values digest deterministically: meeting a container that is still being encoded writes a
 * back-reference with its distance up the stack, so the same structure digests the same wherever it is
 * entered, and differently shaped cycles differ.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { digest, digestSymbol } from "../../src/digest/index.js";

type Node = { name: string; next?: Node };

function ring(...names: string[]): Node {
  const nodes = names.map((name) => ({ name }) as Node);
  nodes.forEach((node, i) => (node.next = nodes[(i + 1) % nodes.length]));
  return nodes[0]!;
}

describe("cycles", () => {
  test("a self-referencing object digests, and equally for equal structures", () => {
    const x: Record<string, unknown> = { v: 1 };
    x.self = x;
    const y: Record<string, unknown> = { v: 1 };
    y.self = y;
    assert.equal(digest(x), digest(y));
    const z: Record<string, unknown> = { v: 2 };
    z.self = z;
    assert.notEqual(digest(x), digest(z));
  });
  test("a→b→a differs from c→d→d (relative distances)", () => {
    const a: Node = { name: "n" };
    const b: Node = { name: "n", next: a };
    a.next = b;
    const c: Node = { name: "n" };
    const d: Node = { name: "n" };
    c.next = d;
    d.next = d;
    assert.notEqual(digest(a), digest(c));
  });
  test("the same cycle digests the same wherever it is entered", () => {
    const x: unknown[] = [];
    x.push(x);
    const y: unknown[] = [];
    y.push(y);
    assert.equal(digest([x]), digest([y]));
    assert.equal(digest({ deep: { deeper: [x] } }), digest({ deep: { deeper: [y] } }));
    assert.equal(digest(ring("a", "a")), digest(ring("a", "a")));
  });
  test("entering a ring at a different node can differ (content differs)", () => {
    const r = ring("a", "b");
    assert.notEqual(digest(r), digest(r.next));
    assert.equal(digest(r.next), digest(ring("b", "a")));
  });
  test("rings of different lengths differ", () => {
    assert.notEqual(digest(ring("a")), digest(ring("a", "a")));
    assert.notEqual(digest(ring("a", "a")), digest(ring("a", "a", "a")));
  });
  test("cycles through Maps and Sets", () => {
    const m = new Map<string, unknown>();
    m.set("me", m);
    m.set("other", [m]);
    const n = new Map<string, unknown>();
    n.set("other", [n]);
    n.set("me", n);
    assert.equal(digest(m), digest(n), "insertion order still does not matter");
    const s = new Set<unknown>();
    s.add(s);
    s.add(1);
    const t = new Set<unknown>([1]);
    t.add(t);
    assert.equal(digest(s), digest(t));
  });
  test("a cycle through a digest method's result becomes a back-reference", () => {
    class Parent {
      children: unknown[] = [];
      [digestSymbol]() {
        return ["Parent", this.children];
      }
    }
    const p = new Parent();
    p.children.push({ up: p });
    const q = new Parent();
    q.children.push({ up: q });
    assert.equal(digest(p), digest(q));
  });
  test("shared references that are not cycles are encoded in full", () => {
    const leaf = { v: [1, 2] };
    assert.equal(digest([leaf, leaf, { again: leaf }]), digest([{ v: [1, 2] }, { v: [1, 2] }, { again: { v: [1, 2] } }]));
  });
  test("digesting a cycle twice gives the same digest (no state kept)", () => {
    const r = ring("a", "b", "c");
    assert.equal(digest(r), digest(r));
  });
});
