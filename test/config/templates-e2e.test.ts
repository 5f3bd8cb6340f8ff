/**
 * Templates end to end: a project's fleche.toml names a template, a program computes in one process, and
 * a second process finds the result in the stores the template made (real files, HDF5 and SQLite).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bundleScript } from "../helpers/bundle.js";
import { tempDir, writeFiles } from "../helpers/project.js";

let child = "";
before(async () => {
  child = await bundleScript("test/fixtures/template-child.ts", tempDir("fleche-e2e-bundle-"));
});

function run(project: string): { result: number[]; runs: number; stores: { values: string; calls: string } } {
  const out = spawnSync(process.execPath, [child], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "", HOME: project },
    encoding: "utf8",
  });
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

const cases: { template: string; extra?: string; stores: { values: string; calls: string }; files: string[] }[] = [
  { template: "file", stores: { values: "file", calls: "file" }, files: ["cache/values", "cache/calls"] },
  { template: "hdf5", stores: { values: "hdf5", calls: "hdf5" }, files: ["cache/values", "cache/calls"] },
  { template: "sql", stores: { values: "file", calls: "sql" }, files: ["cache/values", "cache/calls.db"] },
  { template: "sql", extra: 'values = "hdf5"', stores: { values: "hdf5", calls: "sql" }, files: ["cache/values", "cache/calls.db"] },
];

describe("templates end to end", () => {
  for (const c of cases) {
    it(`template "${c.template}"${c.extra ? ` (${c.extra})` : ""}: computed once, found by a second process`, () => {
      const project = tempDir("fleche-e2e-");
      writeFiles(project, {
        "fleche.toml": `[default]\ncache = "main"\n\n[main]\ntemplate = "${c.template}"\nroot = "cache"\n${c.extra ?? ""}\n`,
      });
      const first = run(project);
      assert.deepEqual(first, { result: [1, 4, 9], runs: 1, stores: c.stores });
      for (const file of c.files) assert.ok(existsSync(join(project, file)), `${file} exists`);
      assert.ok(readdirSync(join(project, "cache/values")).length > 0, "the array result is in the value store");
      const second = run(project);
      assert.deepEqual(second, { result: [1, 4, 9], runs: 0, stores: c.stores });
    });
  }
});
