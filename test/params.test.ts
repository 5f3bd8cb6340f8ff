import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parsedSignature, readSignature } from "../src/params.js";

const names = (fn: Function) => readSignature(fn).params.map((p) => (p.rest ? `...${p.name}` : p.name));

describe("readSignature", () => {
  it("reads names from every function shape", () => {
    assert.deepEqual(names(function f(a: number, b: number) { return a + b; }), ["a", "b"]);
    assert.deepEqual(names((x: number, y: number) => x + y), ["x", "y"]);
    assert.deepEqual(names(async (x: number) => x), ["x"]);
    assert.deepEqual(names(function* gen(a: number) { yield a; }), ["a"]);
    const obj = { method(p: number, q: number) { return p + q; }, async am(r: number) { return r; } };
    assert.deepEqual(names(obj.method), ["p", "q"]);
    assert.deepEqual(names(obj.am), ["r"]);
    assert.deepEqual(names((a: number, ...rest: number[]) => a + rest.length), ["a", "...rest"]);
  });

  it("names destructuring patterns by position", () => {
    assert.deepEqual(names(({ x }: { x: number }, [y]: number[], z: number) => x + y! + z), ["0", "1", "z"]);
  });

  it("falls back to positions for native and bound functions", () => {
    const sig = readSignature(Math.max);
    assert.equal(sig.parsed, false);
    assert.deepEqual(names(function (this: unknown, a: number, b: number) { return a + b; }.bind(null)), ["0", "1"]);
    assert.deepEqual(names(Array.prototype.slice), ["0", "1"]);
  });

  it("evaluates literal defaults and marks the rest opaque", () => {
    const sig = readSignature((a: number, b = 10, c = -2, d = "s", e = [1, { x: null }], f = 2n, g = Date.now()) => a + b + c + d + e + f + g);
    const fallbacks = sig.params.map((p) => p.fallback);
    assert.deepEqual(fallbacks.slice(0, 6), [undefined, { value: 10 }, { value: -2 }, { value: "s" }, { value: [1, { x: null }] }, { value: 2n }]);
    assert.equal(fallbacks[6], "opaque");
  });

  it("knows whether the body reads this (arrows and nested functions do not count)", () => {
    assert.equal(readSignature(function (this: { x: number }) { return this.x; }).usesThis, true);
    assert.equal(readSignature(function () { return () => 1; }).usesThis, false);
    assert.equal(readSignature(function (this: { x: number }) { return () => this.x; }).usesThis, true);
    assert.equal(readSignature(function () { return function (this: { x: number }) { return this.x; }; }).usesThis, false);
    assert.equal(readSignature(() => 1).usesThis, false);
  });
});

describe("the parser-free fast path", () => {
  it("agrees with the parser on every shape it accepts", () => {
    const samples: Function[] = [
      function add(a: number, b: number) { return a + b; },
      (a: number, b: number) => a + b,
      (x: number) => x,
      async (a: number) => a,
      async function g(_a: number, _b: number) {},
      function* gen(a: number) { yield a; },
      function trailing(a: number,) { return a; },
      function () { return 1; },
      (_: unknown, $b: unknown, c1: unknown) => c1,
      function (this: { x: number }) { return this.x; },
      function notThis() { return "this is a string"; },
      (a: { self: unknown }) => a.self,
    ];
    for (const fn of samples) assert.deepEqual(readSignature(fn), parsedSignature(fn), String(fn));
  });
});
