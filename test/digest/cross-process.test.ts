/**
 * Digests must not depend on the process: no hash seeds, no addresses, no insertion order leaks. A child
 * process (a real `node --import tsx`, cwd the repository) digests the vector zoo; its answers must equal
 * this process's.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import { digest } from "../../src/digest/index.js";
import { registerZooHooks, zoo } from "./zoo.js";

const run = promisify(execFile);
const repository = fileURLToPath(new URL("../..", import.meta.url));
const child = fileURLToPath(new URL("./zoo-child.ts", import.meta.url));

test("a child process computes the same digests for the vector zoo", async () => {
  registerZooHooks();
  const here = zoo().map(([name, value]) => [name, digest(value)]);
  const { stdout } = await run(process.execPath, ["--import", "tsx", child], { cwd: repository });
  const there = JSON.parse(stdout) as [string, string][];
  assert.equal(there.length, here.length);
  assert.deepEqual(there, here);
});

test("two concurrent child processes agree with each other", async () => {
  const [first, second] = await Promise.all([
    run(process.execPath, ["--import", "tsx", child], { cwd: repository }),
    run(process.execPath, ["--import", "tsx", child], { cwd: repository }),
  ]);
  assert.equal(first.stdout, second.stdout);
});
