/**
 * Every code block of README.md and docs/*.md runs as written (snippets.ts says how they are found and
 * what markers mean): each in a fresh child process with its own HOME and working directory, TypeScript
 * through tsx, JavaScript (`js`, `mjs`) on plain Node, so an example a reader copies is known to work.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, TSX, tempDir } from "../helpers/project.js";
import { runnable, snippets, type Snippet } from "./snippets.js";
import { buildLibrary } from "../../scripts/build-library.mjs";

const all = snippets(REPO);

/** The package's JavaScript, bundled as `npm run build` bundles it (scripts/build-library.mjs), for the `js` blocks (inside the repository, so its dependencies resolve). */
const JS_BUILD = join(REPO, `.snippets-build-${process.pid}`);
before(() => buildLibrary(JS_BUILD));
after(() => rmSync(JS_BUILD, { recursive: true, force: true }));

function run(snippet: Snippet, index: number): Promise<{ code: number | null; output: string }> {
  const home = tempDir("fleche-snippet-");
  const dir = snippet.runIn ? join(REPO, snippet.runIn) : home;
  const file = join(dir, `.snippet-${process.pid}-${index}.${snippet.lang === "ts" ? "mts" : "mjs"}`);
  for (const [name, content] of Object.entries(snippet.files ?? {})) writeFileSync(join(dir, name), runnable({ ...snippet, code: content }, REPO, JS_BUILD));
  writeFileSync(file, runnable(snippet, REPO, JS_BUILD));
  const args = snippet.lang === "ts" ? ["--import", TSX, file] : [file];
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home };
  for (const name of ["FLECHE_TEST_POSTGRES_URL"]) if (process.env[name]) env[name] = process.env[name]!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (snippet.runIn) rmSync(file, { force: true });
      resolve({ code, output });
    });
  });
}

describe("README and docs code blocks run as written", () => {
  it("finds the blocks (and every block that is not run says why)", () => {
    assert.ok(all.filter((s) => !s.notRun).length >= 25, `only ${all.length} blocks found`);
    for (const s of all) if (s.notRun !== undefined) assert.ok(s.notRun.length > 10, `${s.file}:${s.line}: give a reason`);
  });
  all.forEach((snippet, index) => {
    const name = `${snippet.file}:${snippet.line} (${snippet.lang})`;
    if (snippet.notRun) return; // a definition or a shape, with its reason beside it in the document
    it(name, async () => {
      const { code, output } = await run(snippet, index);
      assert.equal(code, 0, `${name} failed:\n${output}`);
    });
  });
});
