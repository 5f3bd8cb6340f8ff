import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { D, digest, fleche } from "../src/index.js";
import { Call } from "../src/call.js";
import { callKey } from "../src/call.js";
import { bindArguments } from "../src/bind.js";
import { buildProfile } from "../src/profile.js";
import { moduleNameOf } from "../src/module-name.js";

describe("binding", () => {
  const profile = buildProfile(function f(a: number, b = 2, ...more: number[]) { return a + b + more.length; }, { module: "m" });

  it("binds by name, applies literal defaults, bundles rest", () => {
    assert.deepEqual(bindArguments(profile, undefined, [1]), { names: ["a", "b", "more"], values: [1, 2, []], missing: [] });
    assert.deepEqual(bindArguments(profile, undefined, [1, 3, 4, 5]).values, [1, 3, [4, 5]]);
    assert.deepEqual(bindArguments(profile, undefined, [1, undefined, undefined]).values, [1, 2, []]);
  });

  it("keys extra arguments of functions without rest by position", () => {
    const p = buildProfile(function g(a: number) { return a; }, {});
    assert.deepEqual(bindArguments(p, undefined, [1, 2]).names, ["a", "1"]);
  });

  it("keys an opaque default as absent when omitted", () => {
    const p = buildProfile(function h(a: number, b = Math.random()) { return a + b; }, {});
    assert.deepEqual(bindArguments(p, undefined, [1]).names, ["a"]);
  });

  it("uses explicit params", () => {
    const p = buildProfile((...xs: number[]) => xs.length, { params: ["first", "...others"] });
    assert.deepEqual(bindArguments(p, undefined, [1, 2, 3]), { names: ["first", "others"], values: [1, [2, 3]], missing: [] });
    assert.throws(() => buildProfile(() => 1, { params: ["...a", "b"] }), /only the last may be/);
  });
});

describe("call keys", () => {
  const identity = { name: "f", module: "m", version: null, codeDigest: null };

  it("do not depend on parameter order", () => {
    assert.equal(callKey(identity, ["b", "a"], [digest(2), digest(1)]), callKey(identity, ["a", "b"], [digest(1), digest(2)]));
  });

  it("fold the digest of each argument, so D(digest(x)) keys like x", () => {
    assert.equal(Call.of(identity, { x: D(digest([1, 2])) }).key, Call.of(identity, { x: [1, 2] }).key);
  });

  it("change with every part of the identity", () => {
    const base = Call.of(identity, { x: 1 }).key;
    for (const change of [{ name: "g" }, { module: null }, { version: 1 }, { version: "1" }, { codeDigest: digest("src") }]) {
      assert.notEqual(Call.of({ ...identity, ...change }, { x: 1 }).key, base, JSON.stringify(change));
    }
  });

  it("are what the wrapper uses", async () => {
    const add = fleche(function add(a: number, b: number) { return a + b; }, { module: "m" });
    assert.equal(await add.digest(2, 3), Call.of({ ...identity, name: "add" }, { a: 2, b: 3 }).key);
  });
});

describe("default module", () => {
  it("is package:path without build directories or extension", () => {
    assert.equal(moduleNameOf("/work/main/src/math/add.ts"), "fleche:math/add");
    assert.equal(moduleNameOf("/work/main/dist/math/add.js"), "fleche:math/add");
    assert.equal(moduleNameOf("/work/main/examples/tour.ts"), "fleche:examples/tour");
  });

  it("is derived from the file that called fleche()", async () => {
    const f = fleche((x: number) => x);
    const call = await f.call(1);
    assert.equal(call.module, "fleche:test/call.test");
  });
});

describe("pinned wrapper keys (a public contract: changing them needs a migration)", () => {
  it("keys add(2, 3) and friends exactly as before", async () => {
    const add = fleche(function add(a: number, b: number) { return a + b; }, { module: "m" });
    assert.equal(await add.digest(2, 3), "7a2f45d7a84aca25e3da75e125450d13e2b910324852ccf5fc47984b791fcf26");
    const versioned = fleche(function add(a: number, b: number) { return a + b; }, { module: "m", version: 1 });
    const keys = [await versioned.digest(2, 3), await add.digest(2, 4), await add.digest(3, 2)];
    assert.equal(new Set([...keys, await add.digest(2, 3)]).size, 4);
    const named = fleche(function g(opts: { x: number[]; when: Date }) { return opts; }, { module: null });
    assert.equal(await named.digest({ x: [1, 2], when: new Date(0) }), await named.digest({ when: new Date(0), x: [1, 2] }));
  });
});
