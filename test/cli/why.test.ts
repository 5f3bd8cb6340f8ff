/** `fleche why` as a real child process, over a FileStore + SQLite cache filled by test/fixtures/populate.ts. */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, runTs, tempDir, writeFiles, type ChildResult } from "../helpers/project.js";

const MAIN = join(REPO, "src/cli/main.ts");
const POPULATE = join(REPO, "test/fixtures/populate.ts");

const CONFIG = `[default]
cache = "main"

[main]
values = { type = "file", root = "cache/values" }
calls = { type = "sql", url = "sqlite:///cache/calls.db" }
`;

describe("fleche why (child processes)", () => {
  let cli: (...args: string[]) => Promise<ChildResult>;
  before(async () => {
    const home = tempDir();
    const proj = join(home, "proj");
    writeFiles(proj, { "fleche.toml": CONFIG });
    const filled = await runTs(POPULATE, [], { cwd: proj, home });
    assert.equal(filled.code, 0, filled.stderr);
    cli = (...args) => runTs(MAIN, args, { cwd: proj, home });
  });

  it("NAME --args: the nearest stored call and the argument that differs", async () => {
    const out = await cli("why", "total", "--args", '{"values": [1, 2, 4]}');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /No stored call of total has this key; the nearest one has 1 difference\./);
    assert.match(out.stdout, /values: Array\(3\) differs at \[2\]: 3 → 4/);
  });

  it("NAME --args of a stored call: its key and identity", async () => {
    const out = await cli("why", "square", "--args", '{"x": 3}', "--json");
    assert.equal(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout) as { verdict: string; nearest: { distance: number; record: { arguments: Record<string, string> } }[] };
    assert.equal(report.verdict, "arguments-stored");
    assert.equal(report.nearest[0]!.distance, 0);
  });

  it("--version is compared when given", async () => {
    const out = await cli("why", "square", "--args", '{"x": 3}', "--version", "2");
    assert.match(out.stdout, /version: null → 2/);
  });

  it("an unknown name lists similar names", async () => {
    const out = await cli("why", "sqare", "--args", '{"x": 1}');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /No call of sqare is stored in this cache\. Similar names: square\./);
  });

  it("KEY: a stored call against the other calls of its function", async () => {
    const listed = JSON.parse((await cli("ls", "--name", "greet", "--json")).stdout) as { key: string }[];
    const alone = await cli("why", listed[0]!.key.slice(0, 10));
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(alone.stdout, /No other call of greet is stored/);
    const squares = JSON.parse((await cli("ls", "--name", "square", "--json")).stdout) as { key: string }[];
    const compared = await cli("why", squares[0]!.key);
    assert.match(compared.stdout, /the nearest other stored call has 1 difference/);
    assert.match(compared.stdout, /x: \d → \d/);
  });

  it("bad --args is a usage error naming the option", async () => {
    const out = await cli("why", "square", "--args", "[1]");
    assert.equal(out.code, 2);
    assert.match(out.stderr, /--args must be a JSON object/);
  });
});
