/** Discovery and merging in-process, over real files, with an explicit environment. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { candidateFiles, discoverConfigFiles } from "../../src/config/discover.js";
import { loadConfig } from "../../src/config/load.js";
import { merge } from "../../src/config/load.js";
import { captureLogs } from "../helpers/logs.js";
import { tempDir, writeFiles } from "../helpers/project.js";

describe("loadConfig", () => {
  it("lists candidates closest first, ending at HOME, then the user file", () => {
    const root = tempDir();
    const env = { cwd: join(root, "home/a/b"), home: join(root, "home"), env: {} };
    assert.deepEqual(candidateFiles(env), [
      join(root, "home/a/b/fleche.toml"),
      join(root, "home/a/fleche.toml"),
      join(root, "home/fleche.toml"),
      join(root, "home/.config/fleche/cache.toml"),
    ]);
    assert.equal(candidateFiles({ ...env, env: { XDG_CONFIG_HOME: join(root, "x") } }).at(-1), join(root, "x/fleche/cache.toml"));
    assert.equal(candidateFiles({ ...env, env: { XDG_CONFIG_HOME: "relative/x" } }).at(-1), join(root, "home/.config/fleche/cache.toml"), "a relative XDG path is ignored, per the spec");
  });

  it("finds only files (a directory named fleche.toml is not one)", () => {
    const root = tempDir();
    writeFiles(root, { "home/a/fleche.toml/x": "", "home/fleche.toml": "" });
    assert.deepEqual(discoverConfigFiles({ cwd: join(root, "home/a"), home: join(root, "home"), env: {} }), [join(root, "home/fleche.toml")]);
  });

  it("merges shallowly and keeps the source of every table", () => {
    const tables = merge([
      { file: "near", data: { a: { template: "memory" }, default: { cache: "a" } } },
      { file: "far", data: { a: { values: 1 }, b: { template: "memory" }, default: { metadata: [] } } },
    ]);
    assert.deepEqual([...tables].map(([name, e]) => [name, e.file]), [["a", "near"], ["default", "near"], ["b", "far"]]);
    assert.deepEqual(tables.get("default")!.value, { cache: "a" }, "[default] is replaced whole, not merged key by key");
  });

  it("puts code layers first; a code layer with root = true means no file is read", () => {
    const root = tempDir();
    writeFiles(root, { "home/fleche.toml": `[f]\ntemplate = "memory"\n` });
    const env = { cwd: join(root, "home"), home: join(root, "home"), env: {} };
    const both = loadConfig(env, [{ file: "code", data: { f: { template: "memory", read_only: true } } }]);
    assert.deepEqual(both.layers.map((l) => l.file), ["code", join(root, "home/fleche.toml")]);
    assert.equal(both.tables.get("f")!.file, "code");
    const alone = loadConfig(env, [{ file: "code", data: { default: { root: true } } }]);
    assert.deepEqual(alone.layers.map((l) => l.file), ["code"]);
    assert.equal(alone.rootFile, "code");
  });

  it("records an unreadable file with its line and goes on (the resolver reports it: a warning, or an error when strict)", () => {
    const root = tempDir();
    writeFiles(root, { "home/p/fleche.toml": `a = 1\n\n[x\n`, "home/fleche.toml": `[ok]\ntemplate = "memory"\n` });
    const logs = captureLogs();
    try {
      const config = loadConfig({ cwd: join(root, "home/p"), home: join(root, "home"), env: {} });
      assert.deepEqual(config.failed.map((f) => f.file), [join(root, "home/p/fleche.toml")]);
      assert.match(config.failed[0]!.message, /, line 3 column \d+: /);
      assert.ok(config.tables.has("ok"));
      assert.equal(logs.warn.length, 0, "loading alone does not decide how to report it");
    } finally {
      logs.restore();
    }
  });
});
