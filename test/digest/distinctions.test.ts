/**
 * What the digest tells apart and what it treats as equal (docs/digest.md, "Equality").
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { D, digest, isFullDigest } from "../../src/digest/index.js";

const differ = (a: unknown, b: unknown) => assert.notEqual(digest(a), digest(b));
const same = (a: unknown, b: unknown) => assert.equal(digest(a), digest(b));

describe("values JavaScript distinguishes digest differently", () => {
  const pairs: [string, unknown, unknown][] = [
    ["1 vs 1n", 1, 1n],
    ['1 vs "1"', 1, "1"],
    ['1n vs "1"', 1n, "1"],
    ["0 vs -0", 0, -0],
    ["0 vs 0n", 0, 0n],
    ["1n vs -1n", 1n, -1n],
    ["0n vs false", 0n, false],
    ["true vs 1", true, 1],
    ["null vs undefined", null, undefined],
    ["NaN vs null", NaN, null],
    ["NaN vs undefined", NaN, undefined],
    ["Infinity vs -Infinity", Infinity, -Infinity],
    ['"" vs undefined', "", undefined],
    ['"\\uD800" vs "\\uFFFD" (lone surrogate vs replacement char)', "\uD800", "\uFFFD"],
    ["{ a: undefined } vs {}", { a: undefined }, {}],
    ["{ a: null } vs { a: undefined }", { a: null }, { a: undefined }],
    ["{ a: 1 } vs { a: 2 }", { a: 1 }, { a: 2 }],
    ["{ a: 1 } vs { b: 1 }", { a: 1 }, { b: 1 }],
    ["[, 1] (hole) vs [undefined, 1]", [, 1], [undefined, 1]],
    ["[1] vs new Set([1])", [1], new Set([1])],
    ["[[1, 2]] vs new Map([[1, 2]])", [[1, 2]], new Map([[1, 2]])],
    ['{ a: 1 } vs new Map([["a", 1]])', { a: 1 }, new Map([["a", 1]])],
    ["[1, 2] vs [2, 1] (arrays are ordered)", [1, 2], [2, 1]],
    ["[[1], 2] vs [1, [2]] (nesting)", [[1], 2], [1, [2]]],
    ['["ab"] vs ["a", "b"] (length prefixes)', ["ab"], ["a", "b"]],
    ["Map{a=>1} vs Map{a=>2}", new Map([["a", 1]]), new Map([["a", 2]])],
    ["Set[1] vs Set[2]", new Set([1]), new Set([2])],
    ["Map { 1 => 2 } vs Map { 2 => 1 }", new Map([[1, 2]]), new Map([[2, 1]])],
    ["a Date vs its ISO string", new Date(0), new Date(0).toISOString()],
    ["a Date vs its time number", new Date(0), 0],
    ["Date(0) vs Date(1)", new Date(0), new Date(1)],
    ["/a/g vs /a/i", /a/g, /a/i],
    ['/a/ vs "a"', /a/, "a"],
    ["Float64Array vs Float32Array with the same bytes", new Float64Array(1), new Float32Array(2)],
    ["Int32Array [0] vs Float32Array [0]", new Int32Array(1), new Float32Array(1)],
    ["Int8Array vs Uint8Array", new Int8Array([1]), new Uint8Array([1])],
    ["Uint8Array vs Uint8ClampedArray", new Uint8Array([1]), new Uint8ClampedArray([1])],
    ["BigInt64Array vs BigUint64Array", new BigInt64Array([1n]), new BigUint64Array([1n])],
    ["ArrayBuffer vs Uint8Array (same bytes)", new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2])],
    ["ArrayBuffer vs DataView (same bytes)", new Uint8Array([1, 2]).buffer, new DataView(new Uint8Array([1, 2]).buffer)],
    ["Uint8Array vs DataView (same bytes)", new Uint8Array([1, 2]), new DataView(new Uint8Array([1, 2]).buffer)],
    ["ArrayBuffer vs SharedArrayBuffer", new ArrayBuffer(2), new SharedArrayBuffer(2)],
    ["ArrayBuffer(1) vs ArrayBuffer(2)", new ArrayBuffer(1), new ArrayBuffer(2)],
    ["a Uint8Array vs a plain array of its bytes", new Uint8Array([1]), [1]],
    ['D("ab") nested vs "ab" nested', [D("ab")], ["ab"]],
    ["D(digest(x)) nested vs x nested (no Merkle property)", [D(digest(1))], [1]],
    ["function a vs function b (names)", function a() {}, function b() {}],
    ["functions with different bodies", (x: number) => x + 1, (x: number) => x + 2],
    ["an object vs its JSON", { a: 1 }, '{"a":1}'],
  ];
  for (const [name, a, b] of pairs) test(name, () => differ(a, b));
});

describe("values equal by content digest equally", () => {
  test("object key order does not matter", () => same({ a: 1, b: 2, c: [3] }, { c: [3], b: 2, a: 1 }));
  test("integer-like keys sort as strings", () => same({ 10: "x", 2: "y", a: 1 }, { a: 1, 2: "y", 10: "x" }));
  test("Map insertion order does not matter", () =>
    same(
      new Map<unknown, unknown>([["a", 1], [2, "b"], [{ k: 1 }, [3]]]),
      new Map<unknown, unknown>([[{ k: 1 }, [3]], [2, "b"], ["a", 1]]),
    ));
  test("Set insertion order does not matter", () => same(new Set([1, "1", 1n, [1]]), new Set([[1], 1n, "1", 1])));
  test("Map keys equal by content are ordered by their values", () =>
    same(
      new Map([[{ k: 1 }, "b"], [{ k: 1 }, "a"]]),
      new Map([[{ k: 1 }, "a"], [{ k: 1 }, "b"]]),
    ));
  test("every NaN bit pattern is one NaN", () => {
    const bits = new DataView(new ArrayBuffer(8));
    bits.setUint32(0, 0x7ff00000);
    bits.setUint32(4, 1); // a signalling NaN with payload 1
    const odd = bits.getFloat64(0);
    assert.ok(Number.isNaN(odd));
    same(odd, NaN);
    bits.setUint32(0, 0xfff80000); // negative quiet NaN
    bits.setUint32(4, 0);
    same(bits.getFloat64(0), NaN);
    same(0 / 0, NaN);
  });
  test("an invalid Date digests like any other invalid Date", () => same(new Date(NaN), new Date("not a date")));
  test("shared references equal copies", () => {
    const x = { deep: [1, { y: 2 }] };
    same([x, x], [x, structuredClone(x)]);
    same({ a: x, b: x }, { a: structuredClone(x), b: structuredClone(x) });
  });
  test("null-prototype objects equal plain objects", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    same(bare, { a: 1 });
  });
  test("non-enumerable properties are ignored", () => {
    const o = { a: 1 };
    Object.defineProperty(o, "hidden", { value: 2, enumerable: false });
    same(o, { a: 1 });
  });
  test("Buffer digests as Uint8Array", () => same(Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3])));
  test("a typed array digests its own window of a shared buffer", () => {
    const backing = new Float64Array([9, 1, 2, 9]);
    same(new Float64Array(backing.buffer, 8, 2), new Float64Array([1, 2]));
  });
  test("a DataView digests its own window", () => {
    const backing = new Uint8Array([9, 1, 2, 9]);
    same(new DataView(backing.buffer, 1, 2), new DataView(new Uint8Array([1, 2]).buffer));
  });
  test("RegExp lastIndex is ignored", () => {
    const r = /a/g;
    r.lastIndex = 3;
    same(r, /a/g);
  });
  test("1 and 1.0 are one number", () => same(1, 1.0));
  test("Map and Set conflate -0 with 0 like JavaScript does", () => {
    same(new Map([[-0, "x"]]), new Map([[0, "x"]]));
    same(new Set([-0]), new Set([0]));
  });
  test("digest(D(h)) === h at top level", () => {
    const h = digest({ any: "value" });
    assert.equal(digest(D(h)), h);
    assert.equal(digest(D("abc")), "abc");
  });
  test("digests are 64 lowercase hex characters", () => {
    for (const value of [undefined, 1, "x", [1], { a: 1 }, new Map(), new Float64Array(3)]) {
      assert.ok(isFullDigest(digest(value)));
    }
  });
  test("the same source text digests equally (closures over different values collide)", () => {
    const make = (n: number) => () => n;
    same(make(1), make(2));
  });
});
