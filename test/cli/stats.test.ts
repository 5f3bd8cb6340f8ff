/**
 * `fleche stats` as a real child process, over FileStore values with SQLite records (the catalog
 * push-down) and with FileStore records (the scan): the same numbers either way, checked against the
 * stored entry sizes read back through the value store.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileStore, digest } from "../../src/index.js";
import { REPO, runTs, tempDir, writeFiles } from "../helpers/project.js";
import type { CacheStats } from "../../src/stats/stats.js";

const MAIN = join(REPO, "src/cli/main.ts");
const POPULATE = join(REPO, "test/fixtures/populate-stats.ts");

const CONFIGS = {
  "SQLite records": `[default]\ncache = "main"\n\n[main]\nvalues = { type = "file", root = "cache/values" }\ncalls = { type = "sql", url = "sqlite:///cache/calls.db" }\n`,
  "FileStore records": `[default]\ncache = "main"\n\n[main]\nvalues = { type = "file", root = "cache/values" }\ncalls = { type = "file", root = "cache/calls" }\n`,
};

async function populated(config: string) {
  const home = tempDir();
  const proj = join(home, "proj");
  writeFiles(proj, { "fleche.toml": config });
  const filled = await runTs(POPULATE, [], { cwd: proj, home });
  assert.equal(filled.code, 0, filled.stderr);
  return { proj, cli: (...args: string[]) => runTs(MAIN, args, { cwd: proj, home }) };
}

/** Stored sizes of every value, read back through a FileStore on the same root. */
async function sizes(root: string): Promise<Map<string, number>> {
  const store = new FileStore({ root });
  const out = new Map<string, number>();
  for await (const key of store.listValues()) out.set(key, (await store.rawEntries!.read(key)).byteLength);
  return out;
}

for (const [kind, config] of Object.entries(CONFIGS)) {
  describe(`fleche stats over ${kind} (child processes)`, () => {
    it("--json: calls, own and shared value bytes, runtimes, stores", async () => {
      const p = await populated(config);
      const out = await p.cli("stats", "--json");
      assert.equal(out.code, 0, out.stderr);
      const report = JSON.parse(out.stdout) as CacheStats;
      const stored = await sizes(join(p.proj, "cache/values"));
      assert.equal(stored.size, 3); // v, v*2, v*3 (norm's result is inline)
      const total = [...stored.values()].reduce((a, b) => a + b, 0);

      const [norm, scale] = report.functions;
      assert.deepEqual([norm!.name, norm!.calls, norm!.values, norm!.ownBytes], ["norm", 1, 1, 0]);
      assert.deepEqual([scale!.name, scale!.calls, scale!.values], ["scale", 2, 3]);
      assert.ok(norm!.sharedBytes! > 8000, "the shared array is 1000 doubles");
      assert.equal(scale!.sharedBytes, norm!.sharedBytes);
      assert.equal(scale!.ownBytes! + scale!.sharedBytes!, total);
      for (const f of [norm!, scale!]) {
        assert.equal(f.timed, f.calls);
        assert.ok(f.oldest! <= f.newest! && f.newest! <= Date.now() / 1000);
        assert.ok(f.medianRuntime! >= 0 && f.totalRuntime >= f.medianRuntime!);
      }
      const [values, calls] = report.stores;
      assert.deepEqual(values, { role: "values", type: "file", entries: 3, bytes: total });
      assert.equal(calls!.role, "calls");
      assert.equal(calls!.entries, 3);
      if (kind === "SQLite records") assert.ok(calls!.bytes! > 0);
      else assert.equal(calls!.bytes, null);
    });

    it("a table on a terminal; a value gone from the store is no longer counted", async () => {
      const p = await populated(config);
      const out = await p.cli("stats");
      assert.equal(out.code, 0, out.stderr);
      for (const text of ["function", "own bytes", "shared bytes", "median runtime", "norm", "scale", "values", "calls", "KiB"]) {
        assert.ok(out.stdout.includes(text), `${text} in\n${out.stdout}`);
      }
      // Remove the shared array: neither function holds it any more.
      const shared = digest(new Float64Array(1000).map((_, i) => i));
      await new FileStore({ root: join(p.proj, "cache/values") }).evictValue(shared);
      const after = JSON.parse((await p.cli("stats", "--json")).stdout) as CacheStats;
      const [norm, scale] = after.functions;
      assert.deepEqual([norm!.values, norm!.sharedBytes, norm!.ownBytes], [0, 0, 0]);
      assert.deepEqual([scale!.values, scale!.sharedBytes], [2, 0]);
      assert.equal(after.stores[0]!.entries, 2);
    });
  });
}
