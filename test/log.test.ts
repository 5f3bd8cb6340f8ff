/**
 * Diagnostics as a user meets them (child processes, default logger): one warning per cause with a count
 * at exit, class digest advice naming the class's own fields, and NODE_DEBUG=fleche logging every hit and
 * miss, asynchronous hits included.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runTs, tempDir, warningsIn, writeFiles } from "./helpers/project.js";

const INDEX = join(REPO, "src/index.ts");

async function runScript(source: string, env: Record<string, string> = {}) {
  const cwd = tempDir();
  writeFiles(cwd, { "script.mts": source });
  return runTs(join(cwd, "script.mts"), [], { cwd, home: cwd, env });
}

describe("diagnostics", () => {
  it("100 calls with the same uncachable argument print one warning, and a count when the process exits", async () => {
    const out = await runScript(`
import { fleche, cache, Cache, Memory } from ${JSON.stringify(INDEX)};
using _ = cache(new Cache({ values: new Memory(), calls: new Memory() }));
class Model { constructor(public weights = [1, 2, 3], public bias = 0.5, public name = "m") {} }
const score = fleche(function score(m: Model, x: number) { return x; });
const nothing = fleche(function nothing(x: number) { return undefined; });
for (let i = 0; i < 100; i++) await score(new Model(), i);
for (let i = 0; i < 3; i++) await nothing(i);
`);
    assert.equal(out.code, 0, out.stderr);
    const warnings = warningsIn(out.stderr);
    assert.equal(warnings.length, 2, out.stderr);
    assert.match(warnings[0]!, /^No hash for argument of score: Cannot digest args\.m: an instance of class Model has no digest rule/);
    assert.match(warnings[0]!, /\(e\.g\. \["Model", this\.weights, this\.bias, this\.name\]\), or call registerDigest\(\(v\) => v instanceof Model/);
    assert.match(warnings[1]!, /^nothing returned undefined, not caching$/);
    assert.match(out.stderr, /^fleche: this warning occurred 100 times \(NODE_DEBUG=fleche shows each\): No hash for argument of score/m);
    assert.match(out.stderr, /^fleche: this warning occurred 3 times \(NODE_DEBUG=fleche shows each\): nothing returned undefined/m);
  });

  it("NODE_DEBUG=fleche logs every miss and hit, hits of large values (loaded asynchronously) included", async () => {
    const out = await runScript(
      `
import { fleche, cache, Cache, FileStore } from ${JSON.stringify(INDEX)};
const store = new FileStore({ root: "c" });
using _ = cache(new Cache({ values: store, calls: store }));
const big = fleche(function big(n: number) { return new Float64Array(n); });
await big(200_000); // 1.6 MB: its hit loads through the thread pool
await big(200_000);
const small = fleche(function small(n: number) { return n + 1; });
await small(1);
await small(1);
`,
      { NODE_DEBUG: "fleche" },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr.match(/Cache miss for big with key [0-9a-f]{64}; running it/g)?.length, 1);
    assert.equal(out.stderr.match(/Cache hit for big with key [0-9a-f]{64}/g)?.length, 1);
    assert.equal(out.stderr.match(/Cache miss for small/g)?.length, 1);
    assert.equal(out.stderr.match(/Cache hit for small/g)?.length, 1);
  });

  it("without NODE_DEBUG, hits and misses print nothing", async () => {
    const out = await runScript(`
import { fleche, cache, Cache, Memory } from ${JSON.stringify(INDEX)};
using _ = cache(new Cache({ values: new Memory(), calls: new Memory() }));
const f = fleche(function f(n: number) { return n; });
await f(1); await f(1);
`);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr, "");
  });
});
