/**
 * `f.map` from the published bundle (built as `npm run build` builds it, into a directory of the
 * repository so its dependencies resolve): the worker threads start from `parallel/worker-entry.mjs`
 * next to the bundle, with plain Node and with user modules in TypeScript under tsx.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildLibrary } from "../../scripts/build-library.mjs";
import { REPO, TSX, tempDir } from "../helpers/project.js";

const OUT = join(REPO, `.parallel-build-${process.pid}`);
before(() => buildLibrary(OUT));
after(() => rmSync(OUT, { recursive: true, force: true }));

function node(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** A user's program: `tasks` exports a wrapped function, `main` maps it over a FileStore cache and prints where the bodies ran. */
function program(dir: string, ext: "mjs" | "mts"): string {
  mkdirSync(dir, { recursive: true });
  const typed = ext === "mts" ? ": number" : "";
  writeFileSync(
    join(dir, `tasks.${ext}`),
    `import { threadId } from "node:worker_threads";\nimport { fleche } from "${join(OUT, "index.js")}";\n` +
      `export const cube = fleche(function cube(x${typed}) { return { value: x ** 3, threadId }; });\n`,
  );
  writeFileSync(
    join(dir, `main.${ext}`),
    `import { persistent, withCache } from "${join(OUT, "index.js")}";\nimport { cube } from "./tasks.${ext}";\n` +
      `const results = await withCache(persistent("${join(dir, "cache")}"), () => cube.map([[1], [2], [3]]));\n` +
      `console.log(JSON.stringify({ values: results.map((r) => r.value), inWorkers: results.every((r) => r.threadId !== 0) }));\n`,
  );
  return join(dir, `main.${ext}`);
}

describe("f.map from the published bundle", () => {
  it("runs misses in worker threads under plain Node", { timeout: 60_000 }, async () => {
    const { code, output } = await node([program(tempDir("fleche-parallel-js-"), "mjs")], REPO);
    assert.equal(code, 0, output);
    assert.deepEqual(JSON.parse(output), { values: [1, 8, 27], inWorkers: true });
  });

  it("runs misses of functions defined in TypeScript under tsx", { timeout: 60_000 }, async () => {
    const { code, output } = await node(["--import", TSX, program(tempDir("fleche-parallel-ts-"), "mts")], REPO);
    assert.equal(code, 0, output);
    assert.deepEqual(JSON.parse(output), { values: [1, 8, 27], inWorkers: true });
  });
});
