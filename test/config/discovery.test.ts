/**
 * Configuration discovery, merging and selection, end to end: each case writes real files and runs a
 * child process with its own working directory, HOME and XDG_CONFIG_HOME (test/fixtures/config-probe.ts
 * reports what the child resolved).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runTs, tempDir, warningsIn, writeFiles, type ChildOptions } from "../helpers/project.js";

const PROBE = join(REPO, "test/fixtures/config-probe.ts");
const JSONDIR = join(REPO, "test/fixtures/json-dir-store.ts");
const MEMORY = { values: { type: "memory" }, calls: { type: "memory" } };
const VOID = { values: { type: "void" }, calls: { type: "void" } };

interface Probe {
  default: unknown;
  defaultIsNamed: boolean[];
  sameInstance: boolean;
  named: Record<string, unknown>;
  interned: Record<string, boolean>;
  metadata: string[] | { error: string };
  read: string[];
  strict: boolean;
}

async function probe(names: string[], options: ChildOptions): Promise<{ report: Probe; stderr: string; warnings: string[] }> {
  const { code, stdout, stderr } = await runTs(PROBE, names, options);
  assert.equal(code, 0, stderr);
  return { report: JSON.parse(stdout) as Probe, stderr, warnings: warningsIn(stderr) };
}

/** A temp tree: root/home is HOME, root/home/proj/sub the usual working directory, root/xdg spare. */
function tree(files: Record<string, string>) {
  const root = tempDir();
  writeFiles(root, { "home/proj/sub/.keep": "", ...files });
  return { root, home: join(root, "home"), proj: join(root, "home/proj"), sub: join(root, "home/proj/sub"), xdg: join(root, "xdg") };
}

describe("configuration discovery (child processes)", () => {
  it("without any file: the in-memory default, announced once with the exact line", async () => {
    const t = tree({});
    const { report, stderr } = await probe(["memory"], { cwd: t.sub, home: t.home });
    assert.deepEqual(report.default, MEMORY);
    assert.deepEqual(report.read, []);
    assert.equal(stderr.split("No config file found. Using default memory cache.").length - 1, 1);
    assert.equal(report.sameInstance, true);
    assert.deepEqual(report.metadata, ["runtime"]);
    assert.equal(report.defaultIsNamed[0], false, "the default fallback is not the 'memory' singleton");
  });

  it("walks from the working directory up to HOME and merges shallowly, closest file winning per table", async () => {
    const t = tree({
      "home/fleche.toml": `[default]\ncache = "a"\n[a]\ntemplate = "memory"\n[b]\nvalues = { type = "void" }\ncalls = { type = "void" }\n`,
      "home/proj/fleche.toml": `[a]\nvalues = { type = "void" }\ncalls = { type = "memory" }\n[c]\ntemplate = "memory"\nread_only = true\n`,
    });
    const { report } = await probe(["a", "b", "c"], { cwd: t.sub, home: t.home });
    assert.deepEqual(report.read, [join(t.proj, "fleche.toml"), join(t.home, "fleche.toml")]);
    assert.deepEqual(report.named.a, { values: { type: "void" }, calls: { type: "memory" } }, "the closer [a] replaces the farther one whole");
    assert.deepEqual(report.named.b, VOID, "tables only a farther file defines stay usable");
    assert.deepEqual(report.named.c, { ...MEMORY, read_only: true });
    assert.deepEqual(report.default, report.named.a);
    assert.deepEqual(report.defaultIsNamed, [true, false, false], "a string alias is the same instance as the named cache");
    assert.deepEqual(report.interned, { a: true, b: true, c: true });
  });

  it("ignores files above HOME, and walks to the filesystem root when the working directory is outside HOME", async () => {
    const t = tree({
      "fleche.toml": `[above]\ntemplate = "memory"\n`,
      "home/fleche.toml": `[inside]\ntemplate = "memory"\n`,
      "outside/deep/x/.keep": "",
      "outside/fleche.toml": `[outer]\ntemplate = "memory"\n`,
    });
    const inside = await probe(["inside", "above"], { cwd: t.sub, home: t.home });
    assert.deepEqual(inside.report.named.inside, MEMORY);
    assert.match((inside.report.named.above as { error: string }).error, /unknown cache name 'above'/);
    const outside = await probe(["outer", "above", "inside"], { cwd: join(t.root, "outside/deep/x"), home: t.home });
    assert.deepEqual(outside.report.named.outer, MEMORY);
    assert.deepEqual(outside.report.named.above, MEMORY, "every ancestor counts when HOME is not one");
    assert.match((outside.report.named.inside as { error: string }).error, /unknown cache name 'inside'/);
  });

  it("falls back to $XDG_CONFIG_HOME/fleche/cache.toml, or ~/.config/fleche/cache.toml when unset or empty", async () => {
    const t = tree({
      "xdg/fleche/cache.toml": `[default]\ncache = "x"\n[x]\nvalues = { type = "void" }\ncalls = { type = "void" }\n`,
      "home/.config/fleche/cache.toml": `[default]\ncache = "h"\n[h]\ntemplate = "memory"\nmax_size = 3\n`,
      "home/proj/fleche.toml": `[x]\ntemplate = "memory"\n`,
    });
    const xdg = await probe(["x"], { cwd: t.sub, home: t.home, xdg: t.xdg });
    assert.deepEqual(xdg.report.read, [join(t.proj, "fleche.toml"), join(t.xdg, "fleche/cache.toml")]);
    assert.deepEqual(xdg.report.default, MEMORY, "the project's [x] wins over the user file's [x]");
    for (const setting of [undefined, ""]) {
      const home = await probe([], { cwd: t.sub, home: t.home, ...(setting === undefined ? {} : { xdg: setting }) });
      assert.equal(home.report.read.at(-1), join(t.home, ".config/fleche/cache.toml"));
      assert.deepEqual(home.report.default, { ...MEMORY, max_size: 3 });
    }
  });

  it("stops the walk at a file with [default] root = true; root = false changes nothing", async () => {
    const files = (root: boolean) => ({
      "xdg/fleche/cache.toml": `[x]\ntemplate = "memory"\n`,
      "home/fleche.toml": `[h]\ntemplate = "memory"\n`,
      "home/proj/fleche.toml": `[default]\nroot = ${root}\ncache = "p"\n[p]\ntemplate = "memory"\n`,
      "home/proj/sub/fleche.toml": `[s]\nvalues = { type = "void" }\ncalls = { type = "void" }\n`,
    });
    const t = tree(files(true));
    const stopped = await probe(["s", "p", "h", "x"], { cwd: t.sub, home: t.home, xdg: t.xdg });
    assert.deepEqual(stopped.report.read, [join(t.sub, "fleche.toml"), join(t.proj, "fleche.toml")]);
    assert.deepEqual(stopped.report.named.s, VOID, "closer files still merge on top");
    assert.deepEqual(stopped.report.named.p, MEMORY);
    assert.ok("error" in (stopped.report.named.h as object));
    assert.ok("error" in (stopped.report.named.x as object));
    const t2 = tree(files(false));
    const open = await probe(["h", "x"], { cwd: t2.sub, home: t2.home, xdg: t2.xdg });
    assert.equal(open.report.read.length, 4);
    assert.deepEqual(open.report.named.h, MEMORY);
  });

  it("resolves relative roots against the declaring file, from any working directory", async () => {
    const t = tree({
      "home/fleche.toml": `[homecache]\nvalues = { type = "jsondir", root = "store/values" }\ncalls = { type = "jsondir", root = "~/abs-untouched" }\n`,
      "home/proj/fleche.toml": `[default]\ncache = "j"\n[j]\nvalues = { type = "jsondir", root = "cache/values" }\ncalls = { type = "jsondir", root = "${join(t0(), "absolute")}" }\n`,
    });
    for (const cwd of [t.proj, t.sub]) {
      const { report } = await probe(["homecache"], { cwd, home: t.home, imports: [JSONDIR] });
      assert.deepEqual(report.default, {
        values: { type: "jsondir", root: join(t.proj, "cache/values") },
        calls: { type: "jsondir", root: join(t0(), "absolute") },
      });
      assert.deepEqual(report.named.homecache, {
        values: { type: "jsondir", root: join(t.home, "store/values") },
        calls: { type: "jsondir", root: "~/abs-untouched" },
      });
    }
  });

  it("FLECHE_CACHE selects the active cache; a name it does not know warns (or fails when strict)", async () => {
    const t = tree({ "home/proj/fleche.toml": `[default]\ncache = "a"\n[a]\ntemplate = "memory"\n[b]\nvalues = { type = "void" }\ncalls = { type = "void" }\n` });
    const b = await probe(["b"], { cwd: t.sub, home: t.home, env: { FLECHE_CACHE: "b" } });
    assert.deepEqual(b.report.default, VOID);
    assert.deepEqual(b.report.defaultIsNamed, [true]);
    const v = await probe(["void"], { cwd: t.sub, home: t.home, env: { FLECHE_CACHE: "void" } });
    assert.deepEqual(v.report.defaultIsNamed, [true], "reserved names select their singletons");
    const typo = await probe([], { cwd: t.sub, home: t.home, env: { FLECHE_CACHE: "bb" } });
    assert.deepEqual(typo.report.default, MEMORY);
    assert.equal(typo.warnings.length, 1);
    assert.match(typo.warnings[0]!, /FLECHE_CACHE: unknown cache name 'bb' \(did you mean `b`\?\).*in-memory/);
    const strict = await probe([], { cwd: t.sub, home: t.home, env: { FLECHE_CACHE: "bb", FLECHE_STRICT: "1" } });
    assert.match((strict.report.default as { error: string }).error, /FLECHE_CACHE: unknown cache name 'bb'/);
    assert.equal((strict.report.default as { code: string }).code, "FLECHE_CONFIG");
  });

  it("a typo in a cache section warns naming file, table and key, and never silently caches in memory", async () => {
    const t = tree({ "home/proj/fleche.toml": `[default]\ncache = "p"\n[p]\nvaluse = { type = "memory" }\ncalls = { type = "memory" }\n[q]\nvalues = { type = "memroy" }\ncalls = { type = "memory" }\n[r]\ntemplate = "fiel"\nroot = "x"\n` });
    const file = join(t.proj, "fleche.toml");
    const { report, warnings } = await probe(["q", "r"], { cwd: t.sub, home: t.home });
    assert.deepEqual(report.default, MEMORY);
    const text = warnings.join("\n");
    assert.ok(text.includes(`${file} [p]: unknown key \`valuse\` (did you mean \`values\`?)`), text);
    assert.ok(text.includes(`${file} [q] values: unknown store type 'memroy'`), text);
    assert.ok(text.includes(`${file} [r]: unknown cache template "fiel" in key \`template\``), text);
    assert.ok(warnings.every((w) => w.includes("FLECHE_STRICT=1")), "every warning says how to make it an error");
    writeFiles(t.proj, { "fleche.toml": `[default]\ncache = "p"\nstrict = true\n[p]\nvaluse = { type = "memory" }\ncalls = { type = "memory" }\n` });
    const strict = await probe([], { cwd: t.sub, home: t.home });
    assert.equal(strict.report.strict, true);
    assert.match((strict.report.default as { error: string }).error, /\[p\]: unknown key `valuse`/);
  });

  it("skips a malformed file with a warning naming file and line, and reads the next layer", async () => {
    const t = tree({
      "home/fleche.toml": `[default]\ncache = "h"\n[h]\nvalues = { type = "void" }\ncalls = { type = "void" }\n`,
      "home/proj/fleche.toml": `[ok]\ntemplate = "memory"\n[broken\ncache = 1\n`,
    });
    const { report, warnings } = await probe([], { cwd: t.sub, home: t.home });
    assert.deepEqual(report.read, [join(t.home, "fleche.toml")]);
    assert.deepEqual(report.default, VOID);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, new RegExp(`Cannot read configuration file ${join(t.proj, "fleche.toml")}, line 3 column \\d+: .*\\. Skipping this file`));
    const strict = await probe([], { cwd: t.sub, home: t.home, env: { FLECHE_STRICT: "true" } });
    assert.match(String((strict.report.default as { error?: string }).error ?? ""), new RegExp(`Cannot read configuration file ${join(t.proj, "fleche.toml")}, line 3`));
  });

  it("reads [default] metadata through the metadata registry", async () => {
    const t = tree({ "home/proj/fleche.toml": `[default]\nmetadata = []\n` });
    assert.deepEqual((await probe([], { cwd: t.sub, home: t.home })).report.metadata, []);
    writeFiles(t.proj, { "fleche.toml": `[default]\nmetadata = ["Runtime", "Tags"]\n` });
    const bad = await probe([], { cwd: t.sub, home: t.home });
    assert.deepEqual(bad.report.metadata, ["runtime"]);
    assert.match(bad.warnings.join("\n"), /\[default\] metadata: unknown or non-configurable metadata type "Tags"/);
    const strict = await probe([], { cwd: t.sub, home: t.home, env: { FLECHE_STRICT: "true" } });
    assert.match((strict.report.metadata as { error: string }).error, /"Tags"/);
  });

  it("takes an inline [default.cache] table, interned as the default", async () => {
    const t = tree({ "home/proj/fleche.toml": `[default.cache]\ntemplate = "memory"\nmax_size = 2\neviction = "lru"\n` });
    const { report } = await probe([], { cwd: t.sub, home: t.home });
    assert.deepEqual(report.default, { ...MEMORY, max_size: 2, eviction: "lru" });
    assert.equal(report.sameInstance, true);
  });
});

let scratch: string | undefined;
/** A directory outside every tree, for absolute paths. */
function t0(): string {
  return (scratch ??= tempDir("fleche-abs-"));
}
