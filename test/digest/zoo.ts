/**
 * The vector zoo: one value of every kind the digest knows, built the same way in any process. The pinned
 * test vectors (vectors.test.ts, docs/digest.md) and the cross-process check digest these.
 */
import { D, digestSymbol, registerDigest } from "../../src/digest/index.js";

/** A class that digests through the well-known symbol method. */
export class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}

  [digestSymbol](): unknown {
    return ["Point", this.x, this.y];
  }
}

/** A class made digestible by a hook ({@link registerZooHooks}). */
export class Temperature {
  constructor(readonly kelvin: number) {}
}

/** Register the hook the zoo's `Temperature` needs; returns the unregister function. */
export function registerZooHooks(): () => void {
  return registerDigest(
    (value) => value instanceof Temperature,
    (t: Temperature) => ["Temperature", t.kelvin],
  );
}

/** `[name, value]` pairs, freshly built. Names are stable identifiers used in the pinned tables. */
export function zoo(): [string, unknown][] {
  const selfLoop: Record<string, unknown> = { name: "self" };
  selfLoop.self = selfLoop;
  const a: Record<string, unknown> = { name: "a" };
  const b: Record<string, unknown> = { name: "b", next: a };
  a.next = b;
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.k = "v";
  const shared = new SharedArrayBuffer(4);
  new Uint8Array(shared).set([1, 2, 3, 4]);

  return [
    ["undefined", undefined],
    ["null", null],
    ["false", false],
    ["true", true],
    ["0", 0],
    ["-0", -0],
    ["1", 1],
    ["-1.5", -1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["2**53", 2 ** 53],
    ["0n", 0n],
    ["1n", 1n],
    ["-1n", -1n],
    ["2n**64n", 2n ** 64n],
    ['""', ""],
    ['"1"', "1"],
    ['"hello"', "hello"],
    ['"héllo wörld ✓"', "héllo wörld ✓"],
    ['"😀"', "😀"],
    ['"\\uD800" (lone surrogate)', "\uD800"],
    ['"x".repeat(200)', "x".repeat(200)],
    ["[]", []],
    ['[1, "1", 1n]', [1, "1", 1n]],
    ["[, 1] (hole)", [, 1]],
    ["[undefined, 1]", [undefined, 1]],
    ["{}", {}],
    ["{ b: 1, a: 2 }", { b: 1, a: 2 }],
    ["{ a: undefined }", { a: undefined }],
    ["{ a: [{ b: null }] }", { a: [{ b: null }] }],
    ['Object.create(null) { k: "v" }', nullProto],
    ['Map { 1 => "a", "1" => "b" }', new Map<unknown, string>([[1, "a"], ["1", "b"]])],
    ["Map { [1] => {} }", new Map([[[1], {}]])],
    ['Set { 3, 1, "2" }', new Set([3, 1, "2"])],
    ["Set { [1, 2] }", new Set([[1, 2]])],
    ["new Date(0)", new Date(0)],
    ["new Date(NaN)", new Date(NaN)],
    ["/a+b/gi", /a+b/gi],
    ["Int8Array [-1, 2]", new Int8Array([-1, 2])],
    ["Uint8Array [1, 2]", new Uint8Array([1, 2])],
    ["Uint8ClampedArray [1, 2]", new Uint8ClampedArray([1, 2])],
    ["Int16Array [-1, 2]", new Int16Array([-1, 2])],
    ["Uint16Array [1, 2]", new Uint16Array([1, 2])],
    ["Int32Array [-1, 2]", new Int32Array([-1, 2])],
    ["Uint32Array [1, 2]", new Uint32Array([1, 2])],
    ["Float32Array [1, 2]", new Float32Array([1, 2])],
    ["Float64Array [1, 2]", new Float64Array([1, 2])],
    ["BigInt64Array [-1n, 2n]", new BigInt64Array([-1n, 2n])],
    ["BigUint64Array [1n, 2n]", new BigUint64Array([1n, 2n])],
    ['Buffer.from("ab")', Buffer.from("ab")],
    ["ArrayBuffer [1, 2]", new Uint8Array([1, 2]).buffer],
    ["DataView [1, 2]", new DataView(new Uint8Array([1, 2]).buffer)],
    ["SharedArrayBuffer [1, 2, 3, 4]", shared],
    ['[D("ab")]', [D("ab")]],
    ["x = { name, self: x }", selfLoop],
    ["a = { name, next: b = { name, next: a } }", a],
    ["new Point(1, 2) (symbol method)", new Point(1, 2)],
    ["new Temperature(300) (hook)", new Temperature(300)],
    ['new Function("a", "b", "return a + b")', new Function("a", "b", "return a + b")],
    ["Math.max (native)", Math.max],
  ];
}
