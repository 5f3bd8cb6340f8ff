/**
 * The byte layout of docs/digest.md, checked against bytes built by hand here, independently of the
 * encoder: if the encoder and the spec drift apart, these fail. Also checks that the streaming path for
 * big binary chunks hashes exactly the bytes the copying path would.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { D, digest, digestSymbol } from "../../src/digest/index.js";

const sha256 = (...parts: (number[] | Uint8Array | Buffer)[]) => {
  const h = createHash("sha256");
  for (const part of parts) h.update(Array.isArray(part) ? Buffer.from(part) : part);
  return h.digest("hex");
};
const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)];
const str = (s: string) => {
  const bytes = [...Buffer.from(s, "utf8")];
  return [0x06, ...varint(bytes.length), ...bytes];
};
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

describe("layout of each kind", () => {
  test("constants", () => {
    assert.equal(digest(undefined), sha256([0x00]));
    assert.equal(digest(null), sha256([0x01]));
    assert.equal(digest(false), sha256([0x02]));
    assert.equal(digest(true), sha256([0x03]));
  });
  test("numbers: float64 little-endian, canonical NaN", () => {
    assert.equal(digest(1), sha256([0x04, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]));
    assert.equal(digest(-0), sha256([0x04, 0, 0, 0, 0, 0, 0, 0, 0x80]));
    assert.equal(digest(NaN), sha256([0x04, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]));
    assert.equal(digest(-1.5), sha256([0x04, ...f64(-1.5)]));
  });
  test("bigints: sign, byte count, big-endian magnitude", () => {
    assert.equal(digest(0n), sha256([0x05, 0, 0]));
    assert.equal(digest(1n), sha256([0x05, 0, 1, 1]));
    assert.equal(digest(-1n), sha256([0x05, 1, 1, 1]));
    assert.equal(digest(256n), sha256([0x05, 0, 2, 1, 0]));
    assert.equal(digest(-(2n ** 64n)), sha256([0x05, 1, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
  });
  test("strings: UTF-8 with a LEB128 byte length", () => {
    assert.equal(digest(""), sha256([0x06, 0]));
    assert.equal(digest("hello"), sha256([0x06, 5, ...Buffer.from("hello")]));
    assert.equal(digest("é"), sha256([0x06, 2, 0xc3, 0xa9]));
    assert.equal(digest("x".repeat(200)), sha256([0x06, 0xc8, 0x01, ...Buffer.from("x".repeat(200))]));
    assert.equal(digest("é".repeat(100)), sha256([0x06, 0xc8, 0x01, ...Buffer.from("é".repeat(100))]));
    for (const s of ["k".repeat(24), "k".repeat(25), "k".repeat(64), "k".repeat(127), "k".repeat(128), "é".repeat(50), "a✓".repeat(40)]) {
      assert.equal(digest(s), sha256(str(s)), `${s.length} chars`);
    }
    const long = "ab✓".repeat(30_000); // beyond the writer's exact-measure threshold
    const bytes = Buffer.from(long);
    assert.equal(digest(long), sha256([0x06, ...varint(bytes.length)], bytes));
  });
  test("strings with lone surrogates: UTF-16LE code units", () => {
    assert.equal(digest("\uD800"), sha256([0x07, 1, 0x00, 0xd8]));
    assert.equal(digest("a\uDC00"), sha256([0x07, 2, 0x61, 0x00, 0x00, 0xdc]));
  });
  test("arrays and holes", () => {
    assert.equal(digest([]), sha256([0x10, 0]));
    assert.equal(digest([1, "a"]), sha256([0x10, 2, 0x04, ...f64(1), ...str("a")]));
    assert.equal(digest([, null]), sha256([0x10, 2, 0x11, 0x01]));
  });
  test("objects: keys sorted by UTF-16 code units", () => {
    assert.equal(digest({}), sha256([0x12, 0]));
    assert.equal(digest({ b: true, a: null }), sha256([0x12, 2, ...str("a"), 0x01, ...str("b"), 0x03]));
    // "Z" (0x5A) < "a" (0x61) < "é" (0xE9); "10" < "9" as strings.
    assert.equal(
      digest({ é: 0, a: 0, Z: 0, 9: 0, 10: 0 }),
      sha256([0x12, 5, ...["10", "9", "Z", "a", "é"].flatMap((k) => [...str(k), 0x04, ...f64(0)])]),
    );
  });
  test("Map and Set: entries sorted by their encoded bytes", () => {
    const entryA = [...str("a"), 0x04, ...f64(2)];
    const entry1 = [0x04, ...f64(1), ...str("z")];
    // 0x04 (number key) sorts before 0x06 (string key).
    assert.equal(digest(new Map<unknown, unknown>([["a", 2], [1, "z"]])), sha256([0x13, 2, ...entry1, ...entryA]));
    assert.equal(digest(new Set(["b", "a", 3])), sha256([0x14, 3, 0x04, ...f64(3), ...str("a"), ...str("b")]));
  });
  test("Date and RegExp", () => {
    assert.equal(digest(new Date(1000)), sha256([0x15, ...f64(1000)]));
    assert.equal(digest(/x+/g), sha256([0x16, ...str("x+"), ...str("g")]));
  });
  test("typed arrays: element type, element count, little-endian bytes", () => {
    assert.equal(digest(new Uint16Array([1, 258])), sha256([0x20, 5, 2, 1, 0, 2, 1]));
    assert.equal(digest(new Float64Array([1])), sha256([0x20, 9, 1, ...f64(1)]));
    assert.equal(digest(new BigInt64Array([-1n])), sha256([0x20, 10, 1, ...new Array(8).fill(0xff)]));
  });
  test("ArrayBuffer, SharedArrayBuffer, DataView: byte length and bytes", () => {
    assert.equal(digest(new Uint8Array([7, 8]).buffer), sha256([0x21, 2, 7, 8]));
    assert.equal(digest(new SharedArrayBuffer(1)), sha256([0x22, 1, 0]));
    assert.equal(digest(new DataView(new Uint8Array([7, 8]).buffer)), sha256([0x23, 2, 7, 8]));
  });
  test("nested Digest reference, custom, function, back-reference", () => {
    assert.equal(digest([D("AB")]), sha256([0x10, 1, 0x30, ...str("ab")]));
    const custom = { [digestSymbol]: () => "P" };
    assert.equal(digest(custom), sha256([0x31, ...str("P")]));
    const fn = new Function("return 1");
    assert.equal(digest(fn), sha256([0x32, ...str("anonymous"), ...str(Function.prototype.toString.call(fn))]));
    const loop: unknown[] = [];
    loop.push(loop);
    assert.equal(digest(loop), sha256([0x10, 1, 0x3f, 1]));
  });
});

describe("big binary chunks are streamed without changing the digest", () => {
  // 20 KiB, over the 16 KiB streaming threshold, with a non-trivial pattern.
  const big = new Float64Array(2560).map((_, i) => Math.sin(i) * 1e6);
  const bigBytes = Buffer.from(big.buffer);
  const expectedBig = [0x20, 9, ...varint(2560)];

  test("top-level large Float64Array equals the hand-built layout", () => {
    assert.equal(digest(big), sha256(expectedBig, bigBytes));
  });
  test("bytes before and after the streamed chunk are kept in order", () => {
    assert.equal(digest(["before", big, "after"]), sha256([0x10, 3, ...str("before"), ...expectedBig], bigBytes, str("after")));
  });
  test("two large chunks in one value", () => {
    const other = new Uint8Array(40_000).map((_, i) => i * 7);
    assert.equal(
      digest({ a: big, b: other }),
      sha256([0x12, 2, ...str("a"), ...expectedBig], bigBytes, [...str("b"), 0x20, 2, ...varint(40_000)], other),
    );
  });
  test("inside a Set (copied and sorted, not streamed) the bytes are the same", () => {
    assert.equal(digest(new Set([big])), sha256([0x14, 1, ...expectedBig], bigBytes));
    assert.equal(digest(new Map([["k", big]])), sha256([0x13, 1, ...str("k"), ...expectedBig], bigBytes));
  });
  test("a Set after a streamed chunk is sorted within the bytes still buffered", () => {
    assert.equal(
      digest([big, new Set(["b", "a"]), big]),
      sha256([0x10, 3, ...expectedBig], bigBytes, [0x14, 2, ...str("a"), ...str("b"), ...expectedBig], bigBytes),
    );
  });
  test("a large ArrayBuffer and DataView stream too", () => {
    assert.equal(digest(big.buffer), sha256([0x21, ...varint(bigBytes.length)], bigBytes));
    assert.equal(digest(new DataView(big.buffer)), sha256([0x23, ...varint(bigBytes.length)], bigBytes));
  });
  test("a large subarray view hashes only its window", () => {
    const window = big.subarray(100, 2500);
    assert.equal(digest(window), sha256([0x20, 9, ...varint(2400)], Buffer.from(big.buffer, 800, 2400 * 8)));
  });
  test("digests after a streamed digest are unaffected (the writer resets)", () => {
    digest(big);
    assert.equal(digest(1), sha256([0x04, ...f64(1)]));
  });
});
