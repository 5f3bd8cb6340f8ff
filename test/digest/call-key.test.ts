/**
 * Call keys: `makeCallKeyer(identity)(names, argDigests)` equals the documented encoding
 * `digest(["fleche.call/v1", name, module, version, codeDigest, names, argDigests])`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CALL_KEY_MARK, D, digest, makeCallKeyer, type FunctionIdentity } from "../../src/digest/index.js";

const identity: FunctionIdentity = { name: "add", module: "examples/add", version: 1, codeDigest: null };
const documented = (id: FunctionIdentity, names: string[], digests: string[]) =>
  digest([CALL_KEY_MARK, id.name, id.module, id.version, id.codeDigest, names, digests]);

describe("makeCallKeyer", () => {
  test("the mark is fleche.call/v1", () => assert.equal(CALL_KEY_MARK, "fleche.call/v1"));
  test("equals the documented encoding", () => {
    const key = makeCallKeyer(identity);
    const digests = [digest(2), digest(3)];
    assert.equal(key(["a", "b"], digests), documented(identity, ["a", "b"], digests));
  });
  test("every identity field counts", () => {
    const args: [string[], string[]] = [["a"], [digest(1)]];
    const keys = new Set(
      [
        identity,
        { ...identity, name: "sub" },
        { ...identity, module: null },
        { ...identity, module: "other" },
        { ...identity, version: 2 },
        { ...identity, version: "1" },
        { ...identity, version: null },
        { ...identity, codeDigest: digest("code") },
      ].map((id) => {
        const key = makeCallKeyer(id)(...args);
        assert.equal(key, documented(id, ...args));
        return key;
      }),
    );
    assert.equal(keys.size, 8);
  });
  test("names and argument order count", () => {
    const key = makeCallKeyer(identity);
    const d2 = digest(2);
    const d3 = digest(3);
    const keys = new Set([key(["a", "b"], [d2, d3]), key(["a", "b"], [d3, d2]), key(["b", "a"], [d2, d3]), key(["a", "c"], [d2, d3])]);
    assert.equal(keys.size, 4);
  });
  test("repeated calls, changing names, and names arrays reused or rebuilt all agree with the definition", () => {
    const key = makeCallKeyer(identity);
    const names = ["alpha", "beta"];
    for (let i = 0; i < 50; i++) {
      const digests = [digest(i), digest(i % 7)];
      const which = i % 3 === 0 ? names : i % 3 === 1 ? ["alpha", "beta"] : ["x".repeat(i), "ünï"];
      assert.equal(key(which, digests), documented(identity, which, digests));
    }
    names[1] = "gamma"; // mutated in place: must not reuse the cached name bytes
    assert.equal(key(names, [digest(1), digest(2)]), documented(identity, ["alpha", "gamma"], [digest(1), digest(2)]));
  });
  test("no arguments", () => {
    assert.equal(makeCallKeyer(identity)([], []), documented(identity, [], []));
  });
  test("f(D(digest(x))) keys like f(x): the keyer only sees digests", () => {
    const key = makeCallKeyer(identity);
    const x = { big: [1, 2, 3] };
    assert.equal(key(["x"], [digest(D(digest(x)))]), key(["x"], [digest(x)]));
  });
  test("a length mismatch is a TypeError", () => {
    assert.throws(() => makeCallKeyer(identity)(["a"], []), TypeError);
  });
  test("identity fields of undeclared types are a TypeError", () => {
    const bad = (patch: Record<string, unknown>) => () => makeCallKeyer({ ...identity, ...patch } as unknown as FunctionIdentity);
    assert.throws(bad({ name: 1 }), TypeError);
    assert.throws(bad({ module: undefined }), TypeError);
    assert.throws(bad({ version: Symbol("v") }), TypeError);
    assert.throws(bad({ version: { major: 1 } }), TypeError);
    assert.throws(bad({ codeDigest: 5 }), TypeError);
  });
  test("keyers of different identities do not share state", () => {
    const k1 = makeCallKeyer(identity);
    const k2 = makeCallKeyer({ ...identity, name: "other" });
    const args: [string[], string[]] = [["a"], [digest(1)]];
    const first = k1(...args);
    k2(...args);
    assert.equal(k1(...args), first);
  });
});
