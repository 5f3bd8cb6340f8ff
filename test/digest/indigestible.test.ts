/**
 * Values without a digest rule throw Indigestible, with the path to the offending value and a reason that
 * says what to do.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Indigestible } from "../../src/errors.js";
import { digest, digestArgument } from "../../src/digest/index.js";
import { isStackOverflow } from "../../src/digest/encode.js";

/** Assert that digesting `value` (as argument `root`) fails at `path` with a message matching `reason`. */
function fails(value: unknown, path: string, reason: RegExp, root = "args.x"): void {
  assert.throws(
    () => digestArgument(value, root),
    (error: unknown) => {
      assert.ok(error instanceof Indigestible, `expected Indigestible, got ${String(error)}`);
      assert.equal(error.path, path);
      assert.equal(error.code, "FLECHE_INDIGESTIBLE");
      assert.match(error.message, reason);
      assert.ok(error.message.startsWith(`Cannot digest ${path}: `));
      return true;
    },
  );
}

class Widget {
  constructor(readonly size: number) {}
}

describe("indigestible kinds", () => {
  test("a symbol", () => fails(Symbol("s"), "args.x", /symbol/));
  test("a registered symbol too", () => fails(Symbol.for("s"), "args.x", /symbol/));
  test("WeakMap, WeakSet", () => {
    fails(new WeakMap(), "args.x", /WeakMap cannot be enumerated/);
    fails(new WeakSet(), "args.x", /WeakSet cannot be enumerated/);
  });
  test("WeakRef", () => fails(new WeakRef({}), "args.x", /WeakRef has identity/));
  test("a Promise", () => fails(Promise.resolve(1), "args.x", /await it/));
  test("a thenable plain object", () => fails({ then: () => undefined }, "args.x", /thenable/));
  test("an object with a non-function then is fine", () => assert.match(digest({ then: 1 }), /^[0-9a-f]{64}$/));
  test("boxed primitives", () => {
    fails(new Number(1), "args.x", /boxed primitive/);
    fails(new String("s"), "args.x", /boxed primitive/);
    fails(new Boolean(true), "args.x", /boxed primitive/);
    fails(Object(1n), "args.x", /boxed primitive/);
  });
  test("an Error", () => fails(new TypeError("x"), "args.x", /Error object/));
  test("a generator and an iterator", () => {
    function* gen() {
      yield 1;
    }
    fails(gen(), "args.x", /iterator or generator/);
    fails([1, 2].values(), "args.x", /iterator or generator/);
    fails(new Map().entries(), "args.x", /iterator or generator/);
  });
  test("a class instance names its class and the two ways to fix it", () =>
    fails(new Widget(3), "args.x", /class Widget has no digest rule.*Symbol\.for\("fleche\.digest"\).*registerDigest\(\(v\) => v instanceof Widget/));
  test("subclasses of built-ins are class instances", () => {
    class Registry extends Map {}
    class Stamp extends Date {}
    class List extends Array {}
    fails(new Registry(), "args.x", /class Registry/);
    fails(new Stamp(0), "args.x", /class Stamp/);
    fails(new List(), "args.x", /class List/);
  });
  test("an object whose prototype is another plain object", () => fails(Object.create({ inherited: 1 }), "args.x", /class Object has no digest rule/));
  test("plain objects with enumerable symbol keys", () => fails({ a: 1, [Symbol("s")]: 2 }, "args.x", /symbol-keyed/));
  test("non-enumerable symbol keys are ignored", () => {
    const o = { a: 1 };
    Object.defineProperty(o, Symbol("hidden"), { value: 1, enumerable: false });
    assert.equal(digest(o), digest({ a: 1 }));
  });
  test("a bound function", () => fails(function f() {}.bind(null), "args.x", /bound function/));
  test("a detached ArrayBuffer and views of it", () => {
    const buffer = new ArrayBuffer(8);
    const view = new Float64Array(buffer);
    const dataView = new DataView(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    fails(buffer, "args.x", /detached/);
    fails(view, "args.x", /detached/);
    fails(dataView, "args.x", /detached/);
    assert.match(digest(new ArrayBuffer(0)), /^[0-9a-f]{64}$/, "an empty buffer is not detached");
  });
  test("the error carries the offending value", () => {
    const sym = Symbol("here");
    try {
      digest({ a: [sym] });
      assert.fail("should throw");
    } catch (error) {
      assert.ok(error instanceof Indigestible);
      assert.equal(error.value, sym);
    }
  });
  test("deep nesting is Indigestible, not a crash", () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    fails(deep, "args.x", /nested too deeply/);
  });
});

describe("paths", () => {
  test("digestArgument roots the path at its argument", () => fails({ a: [1, Symbol()] }, "args.x.a[1]", /symbol/));
  test("digest() roots the path at `value`", () => fails({ a: Symbol() }, "value.a", /symbol/, "value"));
  test("keys that are not identifiers are quoted", () => fails({ "odd key": { 3: Symbol() } }, 'args.x["odd key"]["3"]', /symbol/));
  test("array indexes", () => fails([0, [1, 2, [Symbol()]]], "args.x[1][2][0]", /symbol/));
  test("Map values by key, Map keys and values by position", () => {
    fails(new Map([["k", Symbol()]]), 'args.x.get("k")', /symbol/);
    fails(new Map([[7, Symbol()]]), "args.x.get(7)", /symbol/);
    fails(new Map<unknown, unknown>([[1, 1], [Symbol(), 2]]), "args.x<key 1>", /symbol/);
    fails(new Map<unknown, unknown>([[1, 1], [{}, Symbol()]]), "args.x<value 1>", /symbol/);
  });
  test("Set members by position", () => fails(new Set([1, 2, Symbol()]), "args.x<member 2>", /symbol/));
  test("inside what a digest hook or method returned", () =>
    fails({ p: { [Symbol.for("fleche.digest")]: () => ["P", Symbol()] } }, "args.x.p<digest>[1]", /symbol/));
  test("a failure leaves the digest machinery usable", () => {
    fails(new Set([new Map([[1, [Symbol()]]])]), "args.x<member 0>.get(1)[0]", /symbol/);
    // `outer` is on the encoder's cycle stack when it fails; a stale stack would turn it into a back-reference.
    const outer: Record<string, unknown> = { o: { a: 1 }, z: Symbol() };
    fails(outer, "args.x.z", /symbol/);
    outer.z = 1;
    assert.equal(digest(outer), digest({ o: { a: 1 }, z: 1 }));
    assert.equal(digest([outer]), digest([{ o: { a: 1 }, z: 1 }]));
  });
});

describe("recognising a stack overflow", () => {
  test("V8's RangeError, and the SyntaxError a regular expression compiled at the stack's end reports", () => {
    let overflow: unknown;
    try {
      (function deeper(): number {
        return deeper() + 1;
      })();
    } catch (error) {
      overflow = error;
    }
    assert.equal(isStackOverflow(overflow), true);
    assert.equal(isStackOverflow(new SyntaxError("Invalid regular expression: /call stack/i: Maximum call stack size exceeded")), true);
    assert.equal(isStackOverflow(new RangeError("Invalid array length")), false);
    assert.equal(isStackOverflow(new SyntaxError("Unexpected token")), false);
  });
});
