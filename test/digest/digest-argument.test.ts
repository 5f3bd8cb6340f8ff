/**
 * `digestArgument` returns exactly what `digest` returns, memo or not: including the values a naive memo
 * keyed by a Map would conflate (-0 and 0; Map keys use SameValueZero).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { D, digest, digestArgument } from "../../src/digest/index.js";

const primitives: unknown[] = [
  0, -0, 0, -0, 1, -1, 1.5, NaN, -NaN, Infinity, -Infinity, 2 ** 53, Number.MIN_VALUE,
  0n, -0n, 1n, -1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n, 2n ** 200n,
  true, false, null, undefined,
  "", "0", "-0", "1", "NaN", "a".repeat(64), "a".repeat(65), "é", "\uD800",
];

describe("digestArgument", () => {
  test("equals digest() for every primitive, first and second time (memo hit)", () => {
    for (let round = 0; round < 2; round++) {
      for (const value of primitives) assert.equal(digestArgument(value, "args.x"), digest(value), String(value));
    }
  });
  test("-0 and 0 stay apart in either order", () => {
    assert.notEqual(digestArgument(-0, "a"), digestArgument(0, "a"));
    assert.equal(digestArgument(-0, "a"), digest(-0));
    assert.equal(digestArgument(0, "a"), digest(0));
    assert.equal(digestArgument(-0, "a"), digest(-0));
  });
  test("1 vs 1n vs \"1\" vs true stay apart", () => {
    const seen = new Set([digestArgument(1, "a"), digestArgument(1n, "a"), digestArgument("1", "a"), digestArgument(true, "a")]);
    assert.equal(seen.size, 4);
  });
  test("equals digest() for containers, Digests and functions", () => {
    const values: unknown[] = [[1], { a: 1 }, new Map([[1, 2]]), D("abc"), D(digest(5)), Math.max, new Float64Array(3)];
    for (const value of values) assert.equal(digestArgument(value, "args.x"), digest(value));
    assert.equal(digestArgument(D("abc"), "args.x"), "abc");
  });
  test("the memo stays bounded and correct past its capacity", () => {
    for (let i = 0; i < 10_000; i++) assert.equal(digestArgument(i, "a"), digest(i));
    for (let i = 0; i < 10_000; i += 997) assert.equal(digestArgument(`s${i}`, "a"), digest(`s${i}`));
    assert.equal(digestArgument(-0, "a"), digest(-0));
  });
});
