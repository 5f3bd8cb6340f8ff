/**
 * Making values digestible: the `[Symbol.for("fleche.digest")]()` method, registered hooks (newest wins,
 * unregister, precedence over the method) and wrapped functions digesting as their original.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Indigestible } from "../../src/errors.js";
import { digest, digestSymbol, registerDigest, registerWrapped } from "../../src/digest/index.js";

class Vec {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Labelled {
  constructor(readonly label: string) {}
  [digestSymbol](): unknown {
    return ["Labelled", this.label];
  }
}

describe("the digest symbol method", () => {
  test("digestSymbol is Symbol.for('fleche.digest')", () => {
    assert.equal(digestSymbol, Symbol.for("fleche.digest"));
  });
  test("a class with the method digests as what it returns, under the custom tag", () => {
    assert.equal(digest(new Labelled("a")), digest(new Labelled("a")));
    assert.notEqual(digest(new Labelled("a")), digest(new Labelled("b")));
    assert.notEqual(digest(new Labelled("a")), digest(["Labelled", "a"]), "custom tag keeps it apart from the plain array");
  });
  test("a plain object with the method uses it (and ignores its other fields)", () => {
    const a = { noise: 1, [digestSymbol]: () => "stable" };
    const b = { noise: 2, [digestSymbol]: () => "stable" };
    assert.equal(digest(a), digest(b));
  });
  test("a function with the method uses it", () => {
    const f = Object.assign(() => 1, { [digestSymbol]: () => ["f", 1] });
    const g = Object.assign(() => 2, { [digestSymbol]: () => ["f", 1] });
    assert.equal(digest(f), digest(g));
  });
  test("the method may call digest() itself (reentrancy)", () => {
    class Inner {
      [digestSymbol]() {
        return digest({ nested: [1, 2, 3] }); // a string: the inner digest
      }
    }
    const outer = { a: new Inner(), b: [new Inner(), "tail"] };
    assert.equal(digest(outer), digest({ a: new Inner(), b: [new Inner(), "tail"] }));
    assert.equal(digest(new Inner()), digest({ [digestSymbol]: () => digest({ nested: [1, 2, 3] }) }));
  });
  test("returned values may contain more digestible instances", () => {
    class Tree {
      constructor(readonly children: Tree[]) {}
      [digestSymbol]() {
        return ["Tree", this.children];
      }
    }
    const t1 = new Tree([new Tree([]), new Tree([new Tree([])])]);
    const t2 = new Tree([new Tree([]), new Tree([new Tree([])])]);
    assert.equal(digest(t1), digest(t2));
    assert.notEqual(digest(t1), digest(new Tree([new Tree([])])));
  });
  test("a method that throws makes the value Indigestible (with the cause)", () => {
    const bad = { [digestSymbol]: () => { throw new Error("boom"); } };
    assert.throws(() => digest({ bad }), (e: unknown) => e instanceof Indigestible && e.path === "value.bad" && /boom/.test(e.message) && (e as Error).cause instanceof Error);
  });
});

describe("registered hooks", () => {
  test("without a hook a class instance is Indigestible", () => {
    assert.throws(() => digest(new Vec(1, 2)), Indigestible);
  });
  test("a hook makes instances digestible; unregister removes it", () => {
    const off = registerDigest((v) => v instanceof Vec, (v: Vec) => ["Vec", v.x, v.y]);
    try {
      assert.equal(digest(new Vec(1, 2)), digest(new Vec(1, 2)));
      assert.notEqual(digest(new Vec(1, 2)), digest(new Vec(2, 1)));
      assert.equal(digest([new Vec(1, 2)]), digest([new Vec(1, 2)]));
    } finally {
      off();
    }
    assert.throws(() => digest(new Vec(1, 2)), Indigestible);
    off(); // idempotent
  });
  test("the newest matching hook wins; unregistering it restores the older one", () => {
    const older = registerDigest((v) => v instanceof Vec, (v: Vec) => ["old", v.x]);
    const oldDigest = digest(new Vec(1, 2));
    const newer = registerDigest((v) => v instanceof Vec, (v: Vec) => ["new", v.x]);
    try {
      const newDigest = digest(new Vec(1, 2));
      assert.notEqual(newDigest, oldDigest);
      assert.equal(newDigest, digest({ [digestSymbol]: () => ["new", 1] }));
      newer();
      assert.equal(digest(new Vec(1, 2)), oldDigest);
    } finally {
      newer();
      older();
    }
  });
  test("hooks beat the symbol method", () => {
    const before = digest(new Labelled("x"));
    const off = registerDigest((v) => v instanceof Labelled, () => "hooked");
    try {
      assert.notEqual(digest(new Labelled("x")), before);
      assert.equal(digest(new Labelled("x")), digest(new Labelled("y")));
    } finally {
      off();
    }
    assert.equal(digest(new Labelled("x")), before);
  });
  test("hooks can override built-in rules for objects (but never for primitives)", () => {
    const off = registerDigest((v) => v instanceof Date, () => "any date");
    try {
      assert.equal(digest(new Date(0)), digest(new Date(1)));
    } finally {
      off();
    }
    assert.notEqual(digest(new Date(0)), digest(new Date(1)));
    const never = registerDigest(() => true, () => "everything");
    try {
      assert.notEqual(digest(1), digest(2));
      assert.equal(digest({ a: 1 }), digest([2]));
    } finally {
      never();
    }
  });
  test("a hook whose predicate throws makes the value Indigestible", () => {
    const off = registerDigest(() => { throw new Error("bad predicate"); }, () => 1);
    try {
      assert.throws(() => digest([{}]), (e: unknown) => e instanceof Indigestible && /bad predicate/.test(e.message));
    } finally {
      off();
    }
  });
  test("a hook returning the object itself is Indigestible, not an endless loop", () => {
    const off = registerDigest((v) => v instanceof Vec, (v) => v);
    try {
      assert.throws(() => digest(new Vec(1, 2)), (e: unknown) => e instanceof Indigestible && /returned the object itself/.test(e.message));
    } finally {
      off();
    }
  });
  test("a hook that never bottoms out is Indigestible", () => {
    const off = registerDigest((v) => v instanceof Vec, (v: Vec) => new Vec(v.x + 1, v.y));
    try {
      assert.throws(() => digest(new Vec(1, 2)), (e: unknown) => e instanceof Indigestible && /too deeply/.test(e.message));
    } finally {
      off();
    }
    assert.equal(digest("still works"), digest("still works"));
  });
});

describe("wrapped functions", () => {
  test("a registered wrapper digests exactly as its original", () => {
    function original(a: number) {
      return a * 2;
    }
    const wrapper = (...args: [number]) => original(...args);
    assert.notEqual(digest(wrapper), digest(original));
    registerWrapped(wrapper, original);
    assert.equal(digest(wrapper), digest(original));
    assert.equal(digest({ f: wrapper }), digest({ f: original }));
  });
  test("wrappers of wrappers resolve to the innermost original", () => {
    const original = function inner() {};
    const w1 = () => original();
    const w2 = () => w1();
    registerWrapped(w1, original);
    registerWrapped(w2, w1);
    assert.equal(digest(w2), digest(original));
  });
  test("a wrapper loop does not hang", () => {
    const a = () => 1;
    const b = () => 2;
    registerWrapped(a, b);
    registerWrapped(b, a);
    assert.match(digest(a), /^[0-9a-f]{64}$/);
  });
});
