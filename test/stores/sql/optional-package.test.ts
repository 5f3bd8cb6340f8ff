/**
 * better-sqlite3 is an optional peer: without it, a SQLite store is a clear error naming the package,
 * and caches that do not use SQLite work (a child process in which the package cannot be resolved).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, TSX, tempDir, writeFiles } from "../../helpers/project.js";

const INDEX = join(REPO, "src/index.ts");
const WITHOUT = join(REPO, "test/fixtures/without-better-sqlite3.cjs");

describe("without better-sqlite3", () => {
  it("SQLite stores name the package to install; persistent(dir) and PostgreSQL-free caches work", () => {
    const cwd = tempDir();
    writeFiles(cwd, {
      "try.mts": `
import { Sql, cache, fleche, persistent } from ${JSON.stringify(INDEX)};
try { new Sql({ url: "sqlite:///calls.db" }); console.log("opened"); } catch (e) { console.log("sql:", (e as Error).message); }
using _ = cache(persistent("c"));
const f = fleche(function f(x: number) { return x * 2; });
console.log("result:", await f(21), await f(21));
`,
    });
    const out = spawnSync(process.execPath, ["--require", WITHOUT, "--import", TSX, join(cwd, "try.mts")], { cwd, encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /sql: Sql store sqlite:\/\/\/.*calls\.db: SQLite needs the optional package 'better-sqlite3' \(npm install better-sqlite3@12\), which is not installed/);
    assert.match(out.stdout, /result: 42 42/);
  });
});
