/**
 * What a new user meets first with the `fleche` command (real child processes, own HOME and working
 * directory): the version, a broken config file, no config at all, a misspelt cache name, caches opened
 * by their stores (`--values`/`--calls`, paths in `transfer`), `--config` files that are not configs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runTs, tempDir, writeFiles, type ChildResult } from "../helpers/project.js";

const MAIN = join(REPO, "src/cli/main.ts");
const INDEX = join(REPO, "src/index.ts");

/** A working directory under a fresh HOME, with `files` in it. */
function place(files: Record<string, string> = {}) {
  const home = tempDir();
  const cwd = join(home, "proj");
  writeFiles(cwd, { ".keep": "", ...files });
  const cli = (...args: string[]): Promise<ChildResult> => runTs(MAIN, args, { cwd, home });
  const run = (script: string): Promise<ChildResult> => runTs(join(cwd, script), [], { cwd, home });
  return { home, cwd, cli, run };
}

/** A script filling a FileStore cache at `dir` with square(1..3). */
const POPULATE = (dir: string) => `
import { FileStore, Cache, cache, fleche } from ${JSON.stringify(INDEX)};
const store = new FileStore({ root: ${JSON.stringify(dir)} });
using _ = cache(new Cache({ values: store, calls: store }));
const square = fleche(function square(x: number) { return { x, squared: x * x }; });
for (let x = 1; x <= 3; x++) await square(x);
`;

describe("fleche CLI, the first hour", () => {
  it("--version prints the package's version", async () => {
    const { cli } = place();
    const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-V"]) {
      const out = await cli(flag);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), version);
    }
  });

  it("a fleche.toml with a syntax error is an error naming file, line and column (exit 2), not an empty memory cache", async () => {
    const { cli, cwd } = place({ "fleche.toml": `[default]\ncache = "main"\n\n[main\ntemplate = "memory"\n` });
    for (const command of ["ls", "gc", "verify", "config"]) {
      const out = await cli(command);
      assert.equal(out.code, 2, `${command}: ${out.stdout}${out.stderr}`);
      assert.match(out.stderr, new RegExp(`^fleche: Cannot read configuration file ${join(cwd, "fleche.toml")}, line 4 column \\d+: `, "m"));
      assert.doesNotMatch(out.stderr + out.stdout, /No config file found|No stored calls/);
    }
  });

  it("outside any project, ls/gc/verify/show say that no cache is configured (exit 2); --cache memory still works", async () => {
    const { cli, cwd } = place();
    for (const args of [["ls"], ["gc"], ["verify"], ["show", "abcdef"]]) {
      const out = await cli(...args);
      assert.equal(out.code, 2, `${args.join(" ")}: ${out.stdout}${out.stderr}`);
      assert.match(out.stderr, /^fleche: no cache is configured here: no `\[default\] cache` in any configuration file/m);
      assert.match(out.stderr, new RegExp(`fleche\\.toml from ${cwd} up to`));
      assert.match(out.stderr, /--cache NAME, give its stores with --values DIR\|URL --calls DIR\|URL/);
    }
    const memory = await cli("ls", "--cache", "memory");
    assert.equal(memory.code, 0, memory.stderr);
    assert.match(memory.stdout, /No stored calls/);
  });

  it("an unknown cache name is said the CLI's way, with the configured names and a suggestion", async () => {
    const { cli } = place({ "fleche.toml": `[default]\ncache = "main"\n[main]\ntemplate = "memory"\n[backup]\ntemplate = "memory"\n` });
    const out = await cli("ls", "--cache", "mian");
    assert.equal(out.code, 2);
    assert.match(out.stderr, /^fleche: unknown cache 'mian' \(did you mean `main`\?\) \(configured: main, backup; always available: memory, void, default\)$/m);
    assert.doesNotMatch(out.stderr, /cache\(\.\.\.\)/);
  });

  it("--values/--calls open a cache no configuration names; transfer takes directories too", async () => {
    const { cli, run, cwd } = place({ "populate.mts": POPULATE("data/cache") });
    const filled = await run("populate.mts");
    assert.equal(filled.code, 0, filled.stderr);
    const listed = await cli("ls", "--values", "data/cache", "--calls", "data/cache");
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.match(/square/g)?.length, 3);
    const alone = await cli("ls", "--values", "data/cache", "--json");
    assert.equal((JSON.parse(alone.stdout) as unknown[]).length, 3, "--values alone serves both roles");
    const [record] = JSON.parse(alone.stdout) as { key: string }[];
    const shown = await cli("show", record!.key.slice(0, 12), "--calls", "data/cache");
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /squared: \d/);
    const copied = await cli("transfer", "--from", "./data/cache", "--to", join(cwd, "copy"));
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /Copied 3 calls/);
    assert.equal((JSON.parse((await cli("ls", "--values", "copy", "--json")).stdout) as unknown[]).length, 3);
    const both = await cli("ls", "--cache", "x", "--values", "copy");
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--cache does not go with --values\/--calls/);
    const scheme = await cli("ls", "--values", "ftp://host/cache");
    assert.equal(scheme.code, 2);
    assert.match(scheme.stderr, /--values ftp:\/\/host\/cache: unknown scheme 'ftp:\/\/'/);
  });

  it("show prints times as ls does: local dates and durations", async () => {
    const { cli, run } = place({ "populate.mts": POPULATE("c") });
    assert.equal((await run("populate.mts")).code, 0);
    const [record] = JSON.parse((await cli("ls", "--values", "c", "--json")).stdout) as { key: string }[];
    const shown = await cli("show", record!.key, "--values", "c");
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /timestop: '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d'/);
    assert.match(shown.stdout, /walltime: '[\d.]+ (µs|ms|s)'/);
    assert.doesNotMatch(shown.stdout, /timestop: \d/);
  });

  it("--config refuses what is not a config before running it", async () => {
    const { cli, cwd } = place({
      "side-effect.mjs": `import { writeFileSync } from "node:fs";\nwriteFileSync("ran.txt", "it ran");\nexport const notAConfig = 1;\n`,
      "broken.mjs": `writeFileSync("ran.txt", "it ran"); export default {`,
      "fleche.config.ts": `export default {};\n`,
      "settings.yaml": `a: 1\n`,
      "good.mjs": `export default { default: { cache: "memory" } };\n`,
      "named.mjs": `const c = { default: { cache: "memory" } };\nexport { c as config };\n`,
    });
    const noExport = await cli("--config", "side-effect.mjs", "ls");
    assert.equal(noExport.code, 2);
    assert.match(noExport.stderr, /--config .*side-effect\.mjs: this module exports no config .*; it was not run/);
    const notModule = await cli("--config", "broken.mjs", "ls");
    assert.equal(notModule.code, 2);
    assert.match(notModule.stderr, /--config .*broken\.mjs: not an ES module .*; it was not run/);
    assert.equal(existsSync(join(cwd, "ran.txt")), false, "neither module ran");
    const ts = await cli("--config", "fleche.config.ts", "ls");
    assert.equal(ts.code, 2);
    assert.match(ts.stderr, /write this config as a \.mjs module/);
    const yaml = await cli("--config", "settings.yaml", "ls");
    assert.equal(yaml.code, 2);
    assert.match(yaml.stderr, /not a config file type the CLI reads \(\.yaml\); expected \.toml, \.json, \.mjs or \.js/);
    for (const file of ["good.mjs", "named.mjs"]) {
      const ok = await cli("--config", file, "ls");
      assert.equal(ok.code, 0, `${file}: ${ok.stderr}`);
      assert.match(ok.stdout, /No stored calls/);
    }
  });
});
