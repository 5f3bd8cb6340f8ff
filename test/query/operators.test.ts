import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Cache, FlecheError, Memory, type CallRecord } from "../../src/index.js";
import { OPERATORS } from "../../src/query/metadata-filter.js";
import { toTemplate, matchesRecord } from "../../src/query/template.js";
import { compareCodePoints, jsonEqual } from "../../src/query/metadata-filter.js";

const record = (metadata: CallRecord["metadata"]): CallRecord => ({
  key: "a".repeat(64),
  name: "f",
  module: null,
  version: null,
  codeDigest: null,
  arguments: {},
  result: "b".repeat(64),
  metadata,
});

const stored = record({
  runtime: { timestart: 1_700_000_000, timestop: 1_700_000_010.5, walltime: 10.5 },
  tags: { project: "alpha", run: 3, flag: false, none: null, list: [1, { a: 1, b: 2 }], nested: { deep: { x: 1, y: "z" } } },
  git: { commit: "3f2a9c1d0e", branch: "main", dirty: true },
});

const matches = (metadata: Record<string, Record<string, unknown>>) => matchesRecord(toTemplate({ metadata }), stored);

describe("metadata filters", () => {
  it("read the top level as namespace names, also names starting with `$`", () => {
    const dollar = record({ $ns: { k: "v" }, $: { "": 1 } });
    const on = (metadata: Record<string, Record<string, unknown>>) => matchesRecord(toTemplate({ metadata }), dollar);
    assert.ok(on({ $ns: { k: "v" } }));
    assert.ok(on({ $ns: {}, $: { "": 1 } }));
    assert.ok(!on({ $ns: { k: "w" } }));
    assert.ok(on({ $other: { $exists: false } }));
    assert.ok(!on({ $other: {} }));
    assert.ok(!matches({ $ns: {} }), "a `$` namespace the record lacks");
  });

  it("match scalars strictly, null as presence, nested objects partially", () => {
    assert.ok(matches({ tags: { project: "alpha" } }));
    assert.ok(!matches({ tags: { project: "Alpha" } }));
    assert.ok(!matches({ tags: { run: "3" } }), "3 is not '3'");
    assert.ok(!matches({ tags: { flag: 0 } }), "false is not 0");
    assert.ok(matches({ tags: { none: null, project: null } }));
    assert.ok(!matches({ tags: { absent: null } }));
    assert.ok(matches({ tags: { nested: { deep: { y: "z" } } } }));
    assert.ok(matches({ tags: { nested: {} } }));
    assert.ok(!matches({ tags: { project: {} } }), "{} needs an object");
    assert.ok(matches({ git: {} }));
    assert.ok(!matches({ environment: {} }));
    assert.ok(!matches({ tags: { toString: null } }), "inherited properties are not stored fields");
  });

  it("compare arrays deeply, ignoring object key order", () => {
    assert.ok(matches({ tags: { list: [1, { b: 2, a: 1 }] } }));
    assert.ok(!matches({ tags: { list: [{ a: 1, b: 2 }, 1] } }));
    assert.ok(!matches({ tags: { list: [1] } }));
    assert.ok(jsonEqual({ a: [1, { c: null }] }, { a: [1, { c: null }] }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
  });

  it("support ranges on numbers, strings and dates", () => {
    assert.ok(matches({ runtime: { timestop: { $gte: 1_700_000_010, $lt: 1_700_000_011 } } }));
    assert.ok(!matches({ runtime: { timestop: { $gt: 1_700_000_010.5 } } }));
    assert.ok(matches({ runtime: { timestop: { $lte: 1_700_000_010.5 } } }));
    assert.ok(matches({ runtime: { timestop: { $gte: new Date(1_700_000_000_000), $lt: new Date("2100-01-01") } } }));
    assert.ok(matches({ runtime: { timestop: new Date(1_700_000_010_500) } }), "a Date equals its Unix seconds");
    assert.ok(matches({ git: { branch: { $gte: "m", $lt: "n" } } }));
    assert.ok(!matches({ tags: { run: { $gt: "1" } } }), "numbers never compare with strings");
    assert.ok(!matches({ tags: { project: { $lt: 5 } } }));
    assert.ok(matches({ tags: { run: { $lt: Infinity } } }));
  });

  it("support $eq, $ne, $in, $exists and $prefix", () => {
    assert.ok(matches({ tags: { none: { $eq: null } } }));
    assert.ok(!matches({ tags: { project: { $eq: null } } }), "$eq: null is a stored null, not presence");
    assert.ok(matches({ tags: { project: { $ne: "beta" } } }));
    assert.ok(!matches({ tags: { absent: { $ne: "beta" } } }), "$ne needs the field");
    assert.ok(matches({ tags: { run: { $in: [1, 2, 3] } } }));
    assert.ok(!matches({ tags: { run: { $in: [] } } }));
    assert.ok(matches({ tags: { list: { $in: [[1, { a: 1, b: 2 }]] } } }));
    assert.ok(matches({ tags: { absent: { $exists: false }, run: { $exists: true } } }));
    assert.ok(!matches({ tags: { run: { $exists: false } } }));
    assert.ok(matches({ environment: { $exists: false } }), "a whole namespace can be required absent");
    assert.ok(!matches({ git: { $exists: false } }));
    assert.ok(matches({ git: { commit: { $prefix: "3f2a" } } }));
    assert.ok(!matches({ git: { commit: { $prefix: "3f2b" } } }));
    assert.ok(matches({ tags: { run: { $gte: 3, $ne: 4 } } }), "operators on one field all hold");
    assert.ok(matches({ tags: { absent: { $gte: undefined } } }), "undefined operands are wildcards");
  });

  it("order strings by code point, as SQL binary collations do", () => {
    assert.ok(compareCodePoints("\uffff", "😀") < 0, "U+FFFF sorts before U+1F600 (UTF-16 order says otherwise)");
    assert.ok("\uffff" > "😀");
    assert.equal(compareCodePoints("abc", "abc"), 0);
    assert.ok(compareCodePoints("ab", "abc") < 0);
    assert.ok(compareCodePoints("b", "abc") > 0);
  });

  it("reject malformed filters with an error naming the path", () => {
    const bad = (metadata: unknown, pattern: RegExp) =>
      assert.throws(() => toTemplate({ metadata: metadata as Record<string, Record<string, unknown>> }), (e: unknown) => {
        assert.ok(e instanceof FlecheError);
        assert.equal(e.code, "FLECHE_QUERY");
        assert.match(e.message, pattern);
        return true;
      });
    bad({ tags: { run: { $between: [1, 2] } } }, /metadata\.tags\.run unknown operator \$between/);
    bad({ tags: { run: { $gt: 1, x: 2 } } }, /metadata\.tags\.run mixes operators with field names/);
    bad({ tags: { run: { $gt: true } } }, /metadata\.tags\.run\.\$gt needs a number, a string or a Date/);
    bad({ tags: { run: { $in: 3 } } }, /\$in needs an array/);
    bad({ tags: { run: { $exists: "yes" } } }, /\$exists needs true or false/);
    bad({ tags: { run: NaN } }, /NaN/);
    bad({ tags: "alpha" }, /metadata\.tags must be an object/);
    bad({ tags: { f: () => 1 } }, /cannot compare/);
    assert.deepEqual([...OPERATORS].sort(), ["$eq", "$exists", "$gt", "$gte", "$in", "$lt", "$lte", "$ne", "$prefix"]);
  });

  it("work end to end through cache.query", async () => {
    const c = new Cache({ values: new Memory(), calls: new Memory() });
    await c.calls.saveCall(stored);
    assert.equal(await c.query({ metadata: { git: { commit: { $prefix: "3f2a" } } } }).count(), 1);
    assert.throws(() => c.query({ metadata: { git: { commit: { $like: "3f%" } } } }), /unknown operator \$like/);
  });
});
