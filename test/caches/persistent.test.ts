/** persistent(dir): one line, files under dir, served across processes, the `file` template's config. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, cacheFromConfig, persistent } from "../../src/index.js";
import { REPO, runTs, tempDir, writeFiles } from "../helpers/project.js";

const INDEX = join(REPO, "src/index.ts");

describe("persistent(dir)", () => {
  it("serves a result computed by another process, whose body then never runs", async () => {
    const cwd = tempDir();
    writeFiles(cwd, {
      "run.mts": `
import { appendFileSync } from "node:fs";
import { cache, fleche, persistent } from ${JSON.stringify(INDEX)};
using _ = cache(persistent(".cache/fleche"));
const slow = fleche(function slow(n: number) { appendFileSync("runs.log", "ran\\n"); return { n, squares: Array.from({ length: n }, (_, i) => i * i) }; });
console.log(JSON.stringify(await slow(50)));
`,
    });
    const first = await runTs(join(cwd, "run.mts"), [], { cwd, home: cwd });
    const second = await runTs(join(cwd, "run.mts"), [], { cwd, home: cwd });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    const { readFileSync } = await import("node:fs");
    assert.equal(readFileSync(join(cwd, "runs.log"), "utf8"), "ran\n", "the body ran once, in the first process");
  });

  it("is the `file` template: its config rebuilds it", () => {
    const dir = tempDir();
    const made = persistent(dir);
    assert.deepEqual(made.toConfig(), cacheFromConfig({ template: "file", root: dir }).toConfig());
    const config = made.toConfig() as { values: { root: string }; calls: { root: string } };
    assert.equal(config.values.root, join(dir, "values"));
    assert.equal(config.calls.root, join(dir, "calls"));
  });

  it("refuses a missing directory", () => {
    assert.throws(() => persistent("" as string), ConfigError);
    assert.throws(() => persistent(undefined as never), /persistent\(dir\): `dir` must be a non-empty directory path/);
  });
});
