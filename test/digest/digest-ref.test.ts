/**
 * `D()`, `Digest`, `isDigest`, `isFullDigest`: references to stored values by digest.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { D, DIGEST_LENGTH, Digest, digest, isDigest, isFullDigest } from "../../src/digest/index.js";

describe("D()", () => {
  test("a short hex string is taken verbatim", () => {
    assert.equal(D("abc").hex, "abc");
    assert.ok(D("abc") instanceof Digest);
    assert.equal(D("0").hex, "0");
  });
  test("uppercase hex is lowercased", () => assert.equal(D("ABCdef").hex, "abcdef"));
  test("a full 64-char digest is taken verbatim", () => {
    const h = digest("x");
    assert.equal(D(h).hex, h);
    assert.equal(D(h.toUpperCase()).hex, h);
  });
  test("non-hex strings are digested", () => {
    assert.equal(D("gggggggg").hex, digest("gggggggg"));
    assert.equal(D("abc!").hex, digest("abc!"));
    assert.equal(D(" abc").hex, digest(" abc"));
  });
  test("the empty string is digested", () => assert.equal(D("").hex, digest("")));
  test("65 hex characters are digested", () => {
    const long = "a".repeat(65);
    assert.equal(D(long).hex, digest(long));
    assert.equal(D("a".repeat(64)).hex, "a".repeat(64));
  });
  test("numbers, objects and everything else are digested", () => {
    assert.equal(D(12).hex, digest(12));
    assert.equal(D({ a: [1] }).hex, digest({ a: [1] }));
    assert.equal(D(null).hex, digest(null));
    assert.equal(D(undefined).hex, digest(undefined));
  });
  test("a Digest is returned as it is", () => {
    const d = D("abc");
    assert.equal(D(d), d);
  });
  test("digest(D(x)) equals digest(x) at top level", () => {
    for (const x of [1, "gg", { a: 1 }, [1, 2], new Map([[1, 2]])]) assert.equal(digest(D(x)), digest(x));
  });
});

describe("Digest", () => {
  test("toString and toJSON give the hex", () => {
    const d = D("ab12");
    assert.equal(`${d}`, "ab12");
    assert.equal(String(d), "ab12");
    assert.equal(JSON.stringify({ d }), '{"d":"ab12"}');
  });
  test("the constructor refuses what is not 1 to 64 hex characters", () => {
    assert.throws(() => new Digest(""), TypeError);
    assert.throws(() => new Digest("xyz"), TypeError);
    assert.throws(() => new Digest("a".repeat(65)), TypeError);
    assert.equal(new Digest("AB").hex, "ab");
  });
  test("isDigest", () => {
    assert.ok(isDigest(D("a")));
    assert.ok(!isDigest("a"));
    assert.ok(!isDigest({ hex: "a" }));
  });
  test("isFullDigest: exactly 64 lowercase hex characters", () => {
    assert.equal(DIGEST_LENGTH, 64);
    assert.ok(isFullDigest(digest(1)));
    assert.ok(!isFullDigest(digest(1).toUpperCase()));
    assert.ok(!isFullDigest(digest(1).slice(1)));
    assert.ok(!isFullDigest(`${digest(1)}0`));
    assert.ok(!isFullDigest(D(digest(1))));
    assert.ok(!isFullDigest("g".repeat(64)));
  });
});
