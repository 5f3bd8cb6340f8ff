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

  it("gc and verify count the same entries, and say where the difference between records and values lies", async () => {
    const { cli, run } = place({ "populate.mts": POPULATE("c") + `const small = fleche(function small(s: string) { return s.length; });\nawait small("hi");\n` });
    assert.equal((await run("populate.mts")).code, 0);
    const gc = await cli("gc", "--values", "c", "--dry-run");
    assert.equal(gc.code, 0, gc.stderr);
    // 4 records: square(1..3) with object results in the value store; 1, 2, 3 and "hi" inline (small("hi") = 2 is the 2 of square(2)).
    assert.match(gc.stdout, /4 call records refer to 7 values: 3 stored in the value store, 4 small enough to travel inside the records/);
    assert.match(gc.stdout, /The value store held 3 entries/);
    const verify = await cli("verify", "--values", "c");
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^values and calls \(file; value entries and call records together\): 7 entries checked, 0 problems$/m, "3 values + 4 records, counted once");
    assert.match(verify.stdout, /^references: 4 records checked/m);
  });

  it("a directory laid out by persistent(dir) opens as that cache", async () => {
    const { cli, run } = place({
      "fill.mts": `import { cache, fleche, persistent } from ${JSON.stringify(INDEX)};\nusing _ = cache(persistent(".cache/fleche"));\nconst f = fleche(function f(x: number) { return [x]; });\nawait f(1); await f(2);\n`,
    });
    assert.equal((await run("fill.mts")).code, 0);
    const listed = await cli("ls", "--values", ".cache/fleche", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 2);
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

  describe("filters, rm and evict", () => {
    /** Calls of two `train` functions in different modules, with tags, versions and finishing times. */
    const FILL = `
import { FileStore, Cache, cache, fleche, tags } from ${JSON.stringify(INDEX)};
const store = new FileStore({ root: "c" });
const c = new Cache({ values: store, calls: store });
const trainA = fleche(function train(lr: number, data: string) { return { lr, data, loss: lr * 2 }; }, { module: "lab/models/alpha.ts", version: 1 });
const trainB = fleche(function train(lr: number, data: string) { return { lr, data, loss: lr * 3 }; }, { module: "lab/models/beta.ts", version: 2 });
const other = fleche(function prepare(n: number) { return { n }; }, { module: "lab/data.ts" });
using _ = cache(c);
{ using __ = tags({ project: "sweep" }); await trainA(0.1, "mnist"); await trainA(0.01, "mnist"); }
{ using __ = tags({ project: "demo" }); await trainB(0.1, "cifar"); }
await other(3);
// Date the calls: each record's timestop set apart by a day, the oldest first.
const day = 86_400;
let t = Date.UTC(2026, 10, 1) / 1000;
for await (const call of c.query({})) {
  const record = call.record;
  await store.saveCall({ ...record, metadata: { ...record.metadata, runtime: { ...record.metadata.runtime, timestop: (t += day) } } });
}
`;

    async function filled() {
      const p = place({ "fill.mts": FILL });
      const out = await p.run("fill.mts");
      assert.equal(out.code, 0, out.stderr);
      const json = async (...args: string[]) => JSON.parse((await p.cli("ls", "--values", "c", "--json", ...args)).stdout) as { key: string; name: string; module: string }[];
      return { ...p, json };
    }

    it("ls filters by name, module, version, tag, argument value and time, and shows the module", async () => {
      const { cli, json } = await filled();
      const table = await cli("ls", "--values", "c");
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /module/);
      assert.match(table.stdout, /lab\/models\/alpha\.ts/);
      assert.match(table.stdout, /lab\/models\/beta\.ts/);
      assert.equal((await json("--name", "train")).length, 3);
      assert.deepEqual((await json("--module", "lab/models/beta.ts")).map((r) => r.module), ["lab/models/beta.ts"]);
      assert.equal((await json("--name", "train", "--version", "1")).length, 2);
      assert.equal((await json("--version", '"1"')).length, 0, "a JSON string is not the number 1");
      assert.equal((await json("--tag", "project=sweep")).length, 2);
      assert.equal((await json("--arg", "lr=0.1")).length, 2);
      assert.equal((await json("--arg", "lr=0.1", "--arg", "data=cifar")).length, 1);
      assert.equal((await json("--after", "2026-11-03T12:00Z")).length, 2);
      assert.equal((await json("--before", "2026-11-03T12:00Z")).length, 2);
      assert.equal((await json("--after", "2026-11-02T12:00Z", "--before", "2026-11-04T12:00Z")).length, 2);
      const none = await cli("ls", "--values", "c", "--tag", "project=nothing");
      assert.match(none.stdout, /No stored calls match/);
      const bad = await cli("ls", "--values", "c", "--after", "yesterday-ish");
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--after yesterday-ish: not a date/);
      const badTag = await cli("ls", "--values", "c", "--tag", "sweep");
      assert.equal(badTag.code, 2);
      assert.match(badTag.stderr, /--tag sweep: expected NAME=VALUE/);
    });

    it("evict shows what goes and asks; without a terminal it refuses unless --yes; --dry-run removes nothing", async () => {
      const { cli, json } = await filled();
      const dry = await cli("evict", "--values", "c", "--tag", "project=sweep", "--dry-run");
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal(dry.stdout.match(/alpha\.ts/g)?.length, 2);
      assert.match(dry.stdout, /Would remove 2 calls \(dry run: nothing removed\)/);
      assert.equal((await json()).length, 4);
      const unconfirmed = await cli("evict", "--values", "c", "--tag", "project=sweep");
      assert.equal(unconfirmed.code, 2);
      assert.match(unconfirmed.stderr, /not removing 2 calls without confirmation: stdin is not a terminal \(pass --yes/);
      assert.equal((await json()).length, 4);
      const everything = await cli("evict", "--values", "c", "--yes");
      assert.equal(everything.code, 2);
      assert.match(everything.stderr, /give a filter .* or --all to remove every call/);
      const done = await cli("evict", "--values", "c", "--tag", "project=sweep", "--yes");
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /Removed 2 calls; their values stay until `fleche gc`/);
      assert.deepEqual((await json()).map((r) => r.module).sort(), ["lab/data.ts", "lab/models/beta.ts"]);
      const all = await cli("evict", "--values", "c", "--all", "--yes");
      assert.equal(all.code, 0, all.stderr);
      assert.equal((await json()).length, 0);
    });

    it("rm removes calls by key or prefix; an unknown key is reported with exit 1", async () => {
      const { cli, json } = await filled();
      const [first, second] = await json("--name", "train");
      const out = await cli("rm", "--values", "c", first!.key.slice(0, 12), second!.key, "ffffffffffff", "--yes");
      assert.equal(out.code, 1);
      assert.match(out.stderr, /no stored call under 'ffffffffffff'/);
      assert.match(out.stdout, /Removed 2 calls/);
      assert.equal((await json()).length, 2);
      const dry = await cli("rm", "--values", "c", (await json())[0]!.key, "--dry-run");
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /Would remove 1 call \(/);
      assert.equal((await json()).length, 2);
    });
  });
});

