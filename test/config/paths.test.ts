import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { rebasePath, rebaseTable, rebaseUrl } from "../../src/config/paths.js";
import { readConfigFile } from "../../src/config/load.js";
import { tempDir, writeFiles } from "../helpers/project.js";

const DIR = "/projects/demo";

describe("relative paths in config files", () => {
  it("rebases relative roots on the file's directory and leaves absolute and ~ roots alone", () => {
    assert.equal(rebasePath("cache", DIR), "/projects/demo/cache");
    assert.equal(rebasePath("../shared/cache", DIR), "/projects/shared/cache");
    assert.equal(rebasePath("/data/cache", DIR), "/data/cache");
    assert.equal(rebasePath("~/cache", DIR), "~/cache");
  });

  it("rebases SQLite URLs in every relative form and leaves the rest alone", () => {
    const cases: [string, string][] = [
      ["calls.db", "sqlite:////projects/demo/calls.db"],
      ["cache/calls.db", "sqlite:////projects/demo/cache/calls.db"],
      ["sqlite:///calls.db", "sqlite:////projects/demo/calls.db"],
      ["sqlite:///cache/calls.db?mode=ro", "sqlite:////projects/demo/cache/calls.db?mode=ro"],
      ["sqlite:calls.db", "sqlite:/projects/demo/calls.db"],
      ["sqlite://cache/calls.db", "sqlite:////projects/demo/cache/calls.db"],
      ["sqlite:////abs/calls.db", "sqlite:////abs/calls.db"],
      ["sqlite:///:memory:", "sqlite:///:memory:"],
      ["sqlite::memory:", "sqlite::memory:"],
      ["sqlite:///~/calls.db", "sqlite:///~/calls.db"],
      ["sqlite:/abs/calls.db", "sqlite:/abs/calls.db"],
      ["/abs/calls.db", "/abs/calls.db"],
      ["~/calls.db", "~/calls.db"],
      ["postgres://user:pw@host/db", "postgres://user:pw@host/db"],
      ["postgresql://host/db?sslmode=require", "postgresql://host/db?sslmode=require"],
    ];
    for (const [url, expected] of cases) assert.equal(rebaseUrl(url, DIR), expected, url);
  });

  it("rebases at any depth, but not the [default] root flag and not filter tables", () => {
    const input = {
      default: { root: true, cache: { template: "file", root: "c" } },
      s: [{ template: "memory" }, { values: { type: "file", root: "v" }, calls: { type: "sql", url: "calls.db" } }],
      p: { pool: [{ template: "file", root: "team" }] },
      f: { template: "memory", filter: { args: { root: "keep/me" } } },
    };
    const frozen = structuredClone(input);
    assert.deepEqual(rebaseTable(input, DIR), {
      default: { root: true, cache: { template: "file", root: "/projects/demo/c" } },
      s: [{ template: "memory" }, { values: { type: "file", root: "/projects/demo/v" }, calls: { type: "sql", url: "sqlite:////projects/demo/calls.db" } }],
      p: { pool: [{ template: "file", root: "/projects/demo/team" }] },
      f: { template: "memory", filter: { args: { root: "keep/me" } } },
    });
    assert.deepEqual(input, frozen, "the input is not modified");
  });

  it("applies when a real file is read", () => {
    const dir = tempDir();
    writeFiles(dir, { "sub/fleche.toml": `[c]\ntemplate = "sql"\nroot = "cache"\nurl = "sqlite:///db/calls.db"\n` });
    const layer = readConfigFile(join(dir, "sub/fleche.toml"));
    assert.deepEqual(layer.data.c, { template: "sql", root: join(dir, "sub/cache"), url: `sqlite:///${join(dir, "sub/db/calls.db")}` });
  });
});
