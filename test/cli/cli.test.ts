/**
 * The `fleche` command, run as a real child process (`node --import tsx src/cli/main.ts`) in a temporary
 * project with its own HOME and working directory, over a persistent cache (the jsondir test store).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { digest } from "../../src/index.js";
import { REPO, runTs, tempDir, writeFiles, type ChildResult } from "../helpers/project.js";

const MAIN = join(REPO, "src/cli/main.ts");
const JSONDIR = join(REPO, "test/fixtures/json-dir-store.ts");
const POPULATE = join(REPO, "test/fixtures/populate.ts");

const CONFIG = `[default]
cache = "main"

[main]
values = { type = "jsondir", root = "cache/values" }
calls = { type = "jsondir", root = "cache/calls" }

[backup]
values = { type = "jsondir", root = "backup/values" }
calls = { type = "jsondir", root = "backup/calls" }
`;

/** A populated project: HOME is root/home, the project root/home/proj. */
async function project(extra = ""): Promise<{ home: string; proj: string; cli: (...args: string[]) => Promise<ChildResult> }> {
  const root = tempDir();
  const home = join(root, "home");
  const proj = join(home, "proj");
  writeFiles(proj, { "fleche.toml": CONFIG + extra });
  const filled = await runTs(POPULATE, [], { cwd: proj, home, imports: [JSONDIR] });
  assert.equal(filled.code, 0, filled.stderr);
  return { home, proj, cli: (...args) => runTs(MAIN, args, { cwd: proj, home, imports: [JSONDIR] }) };
}

describe("fleche CLI (child processes)", () => {
  let p: Awaited<ReturnType<typeof project>>;
  before(async () => {
    p = await project();
  });

  it("ls: a table of calls, filtered by name and limited", async () => {
    const all = await p.cli("ls");
    assert.equal(all.code, 0, all.stderr);
    for (const text of ["key", "name", "square", "greet", "total", "x=3", "9", "name='ada'", "'hello ada'"]) {
      assert.ok(all.stdout.includes(text), `${text} in\n${all.stdout}`);
    }
    const some = await p.cli("ls", "--name", "square", "--limit", "2");
    assert.equal(some.stdout.match(/square/g)?.length, 2);
    assert.match(some.stdout, /\(2 of 5 calls; --limit to see more\)/);
    const json = JSON.parse((await p.cli("ls", "--json")).stdout) as { name: string; key: string }[];
    assert.equal(json.length, 7);
    assert.ok(json.every((r) => r.key.length === 64));
    const none = await p.cli("ls", "--name", "nothing");
    assert.match(none.stdout, /No stored calls of nothing/);
  });

  it("show: one call with its values, by key prefix", async () => {
    const [record] = JSON.parse((await p.cli("ls", "--name", "total", "--json")).stdout) as { key: string }[];
    const shown = await p.cli("show", record!.key.slice(0, 10));
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`key\\s+${record!.key}`));
    assert.match(shown.stdout, /values = \[ 1, 2, 3 \]/);
    assert.match(shown.stdout, /sum: 6/);
    assert.match(shown.stdout, /runtime/);
    const missing = await p.cli("show", "ffffffffff");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^fleche: No stored key starts with 'ffffffffff'/m);
  });

  it("gc: dry run lists, the default grace spares fresh orphans, --grace 0 removes them", async () => {
    const q = await project();
    const values = () => readdirSync(join(q.proj, "cache/values")).length;
    const before = values();
    const dry = await q.cli("gc", "--dry-run", "--grace", "0");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^[0-9a-f]{64}$/m);
    assert.match(dry.stdout, /Would remove 1 value \(dry run; nothing removed\)/);
    assert.equal(values(), before);
    const graceful = await q.cli("gc");
    assert.match(graceful.stdout, /Removed 0 values\.\n.*1 value spared/);
    const real = await q.cli("gc", "--grace", "0");
    assert.match(real.stdout, /Removed 1 value\./);
    assert.equal(values(), before - 1);
    assert.match(real.stderr, /gc \(checking values\): \d+\/\d+/, "progress lines on stderr when not a terminal");
    assert.equal((await q.cli("ls", "--json")).stdout.includes("square"), true);
  });

  it("transfer: copies, skips what the target has, moves with --pop", async () => {
    const q = await project();
    const copy = await q.cli("transfer", "--from", "main", "--to", "backup", "--name", "square");
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(copy.stdout, /Copied 5 calls from main to backup\./);
    assert.match(copy.stderr, /copying calls: 5/);
    const move = await q.cli("transfer", "--from", "main", "--to", "backup", "--pop");
    assert.match(move.stdout, /Moved 2 calls from main to backup\.\nSkipped 5 calls that backup already holds/);
    assert.equal(JSON.parse((await q.cli("ls", "--cache", "backup", "--json")).stdout).length, 7);
    assert.equal(JSON.parse((await q.cli("ls", "--json")).stdout).length, 5, "skipped calls stay in the source");
    const same = await q.cli("transfer", "--from", "main", "--to", "main");
    assert.equal(same.code, 2);
  });

  it("verify: reports corrupt entries (exit 1) and repairs them", async () => {
    const q = await project();
    const calls = join(q.proj, "cache/calls");
    const victim = readdirSync(calls).find((n) => n.endsWith(".json"))!;
    writeFileSync(join(calls, victim), "{ torn");
    const found = await q.cli("verify");
    assert.equal(found.code, 1);
    assert.match(found.stdout, /calls \(jsondir\): 7 entries checked, 1 problem/);
    assert.ok(found.stdout.includes(victim.slice(0, -5)));
    assert.match(found.stdout, /Run `fleche verify --repair`/);
    const repaired = await q.cli("verify", "--repair");
    assert.equal(repaired.code, 0);
    assert.match(repaired.stdout, /1 problem, 1 removed/);
    assert.equal((await q.cli("verify")).code, 0);
    const memory = await q.cli("verify", "--cache", "memory");
    assert.match(memory.stdout, /values \(memory\): no integrity check for 'memory' stores/);
  });

  it("verify: lists records whose values are missing (exit 1, also with --deep); --repair removes them", async () => {
    const q = await project();
    const result = digest({ sum: 6, values: [1, 2, 3] }); // total([1, 2, 3])
    rmSync(join(q.proj, "cache/values", `${result}.json`));
    const found = await q.cli("verify");
    assert.equal(found.code, 1, found.stderr);
    assert.match(found.stdout, /^references: 7 records checked, 1 record with dangling references$/m);
    assert.match(found.stdout, new RegExp(`^  [0-9a-f]{64} \\(total\\): result: value ${result} is missing$`, "m"));
    assert.match(found.stdout, /Run `fleche verify --repair` to repair the 1 problem/);
    assert.match(found.stderr, /checking references: \d+\/7/, "progress on stderr");
    const deep = await q.cli("verify", "--deep");
    assert.equal(deep.code, 1);
    assert.equal(JSON.parse((await q.cli("ls", "--json")).stdout).length, 7, "nothing removed without --repair");
    const repaired = await q.cli("verify", "--repair");
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.match(repaired.stdout, /^references: 7 records checked, 1 record with dangling references, 0 re-linked, 1 removed$/m);
    assert.match(repaired.stdout, /\(total\): result: .* \(record removed\)$/m);
    const clean = await q.cli("verify");
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /^references: 6 records checked, 0 records with dangling references$/m);
  });

  it("verify --repair re-links a value missing in one layer of a stack from another layer", async () => {
    const q = await project(`
[both]
stack = [
  { values = { type = "jsondir", root = "cache/values" }, calls = { type = "jsondir", root = "cache/calls" } },
  { values = { type = "jsondir", root = "backup/values" }, calls = { type = "jsondir", root = "backup/calls" } },
]
`);
    assert.equal((await q.cli("transfer", "--from", "main", "--to", "backup")).code, 0);
    const result = join(q.proj, "cache/values", `${digest({ sum: 6, values: [1, 2, 3] })}.json`);
    rmSync(result);
    const found = await q.cli("verify", "--cache", "both");
    assert.equal(found.code, 1, found.stderr);
    assert.match(found.stdout, /^layer 0 references: 7 records checked, 1 record with dangling references$/m);
    assert.match(found.stdout, /^layer 1 references: 7 records checked, 0 records with dangling references$/m);
    const repaired = await q.cli("verify", "--cache", "both", "--repair");
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.match(repaired.stdout, /^layer 0 references: 7 records checked, 1 record with dangling references, 1 re-linked, 0 removed$/m);
    assert.match(repaired.stdout, /\(total\): result: .* \(re-linked\)$/m);
    assert.ok(existsSync(result), "the value is back in the first layer");
    assert.equal((await q.cli("verify", "--cache", "both")).code, 0);
    assert.equal(JSON.parse((await q.cli("ls", "--json")).stdout).length, 7, "no record was removed");
  });

  it("transfer: leaves calls whose values are missing behind, lists them, exits 1", async () => {
    const q = await project();
    rmSync(join(q.proj, "cache/values", `${digest({ sum: 6, values: [1, 2, 3] })}.json`));
    const moved = await q.cli("transfer", "--from", "main", "--to", "backup", "--pop");
    assert.equal(moved.code, 1, moved.stderr);
    assert.match(moved.stdout, /Moved 6 calls from main to backup\./);
    assert.match(moved.stdout, /Left 1 call behind whose values are missing in main/);
    assert.match(moved.stderr, /Not transferring [0-9a-f]{64} \(total\): its result [0-9a-f]{64} is missing at the source .*; it stays in the source/);
    assert.equal(JSON.parse((await q.cli("ls", "--json")).stdout).length, 1, "the dangling call stays in the source");
    assert.equal(JSON.parse((await q.cli("ls", "--cache", "backup", "--json")).stdout).length, 6);
  });

  it("config: what resolves, and which file each part came from", async () => {
    const shown = await p.cli("config");
    assert.equal(shown.code, 0, shown.stderr);
    const file = join(p.proj, "fleche.toml");
    assert.ok(shown.stdout.includes(`#   read        ${file}`), shown.stdout);
    assert.ok(shown.stdout.includes(`# Default cache: "main" (${file} [default] cache)`));
    assert.ok(shown.stdout.includes(`# from ${file}\n[main.values]`), shown.stdout);
    assert.ok(shown.stdout.includes(`root = "${join(p.proj, "cache/values")}"`), "relative roots are shown resolved");
    const json = JSON.parse((await p.cli("config", "--json")).stdout) as { read: string[]; tables: { name: string }[] };
    assert.deepEqual(json.read, [file]);
    assert.deepEqual(json.tables.map((t) => t.name), ["default", "main", "backup"]);
  });

  it("stores: the registered store types from their descriptors, plugins included", async () => {
    const shown = await p.cli("stores");
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^file {2}\(values, calls\): /m);
    assert.match(shown.stdout, /^sql {2}\(values, calls\): /m);
    assert.match(shown.stdout, /^ {2}secret_key +.*\[never written by toConfig\(\)\]$/m);
    assert.match(shown.stdout, /^jsondir {2}\(values, calls\): one JSON file per entry/m, "a plugin loaded with --import is listed");
    const json = JSON.parse((await p.cli("stores", "--json")).stdout) as { type: string; options?: { configName: string }[] }[];
    assert.deepEqual(json.map((s) => s.type), ["file", "hdf5", "jsondir", "memory", "s3", "sql", "void"]);
    assert.deepEqual(json.find((s) => s.type === "hdf5")?.options?.map((o) => o.configName), ["root", "prefix_length", "compression"]);
  });

  it("fails with exit 2 on configuration mistakes, naming file, table and key", async () => {
    const root = tempDir();
    writeFiles(root, { "fleche.toml": `[default]\ncache = "main"\n[main]\nvalues = { type = "jsondir", rooot = "v" }\ncalls = { type = "memory" }\n` });
    const run = (...args: string[]) => runTs(MAIN, args, { cwd: root, home: root, imports: [JSONDIR] });
    const broken = await run("ls");
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, new RegExp(`fleche: ${join(root, "fleche.toml")} \\[main\\] values: unknown option \`rooot\` for a 'jsondir' store`));
    const unknown = await run("ls", "--cache", "mian");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown cache 'mian' \(did you mean `main`\?\)/);
    const usage = await run("lss");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown command 'lss'/);
  });

  it("takes --config files (TOML or a JS module) and --import plugins", async () => {
    const root = tempDir();
    writeFiles(root, {
      "extra.toml": `[default]\ncache = "side"\n[side]\nvalues = { type = "jsondir", root = "side/v" }\ncalls = { type = "jsondir", root = "side/c" }\n`,
      "conf/fleche.config.mjs": `export default { default: { cache: "js" }, js: { values: { type: "jsondir", root: "v" }, calls: { type: "void" } } };\n`,
    });
    const toml = await runTs(MAIN, ["--import", JSONDIR, "--config", "extra.toml", "config"], { cwd: root, home: root });
    assert.equal(toml.code, 0, toml.stderr);
    assert.ok(toml.stdout.includes(`root = "${join(root, "side/v")}"`));
    const js = await runTs(MAIN, ["--config", "conf/fleche.config.mjs", "--import", JSONDIR, "config", "--json"], { cwd: root, home: root });
    assert.equal(js.code, 0, js.stderr);
    const described = JSON.parse(js.stdout) as { defaultCache: { choice: string }; tables: { name: string; value: { values: { root: string } } }[] };
    assert.equal(described.defaultCache.choice, "js");
    assert.equal(described.tables.find((t) => t.name === "js")!.value.values.root, join(root, "conf/v"), "paths in a JS config resolve against its directory");
    const ls = await runTs(MAIN, ["--config", "conf/fleche.config.mjs", "--import", JSONDIR, "ls"], { cwd: root, home: root });
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /No stored calls/);
  });
});
