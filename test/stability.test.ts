import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fleche } from "../src/index.js";
import { keySamples } from "./fixtures/key-samples.js";

describe("key stability across processes", () => {
  it("a child process computes the same lookup keys", async () => {
    const here: Record<string, string> = {};
    for (const [label, make] of Object.entries(keySamples)) {
      const { fn, args } = make();
      here[label] = await fleche(fn, { module: "stability" }).digest(...args);
    }
    const child = fileURLToPath(new URL("./fixtures/keys-child.ts", import.meta.url));
    const output = execFileSync(process.execPath, ["--import", "tsx", child], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(output), here);
    assert.equal(new Set(Object.values(here)).size, Object.keys(here).length);
  });
});
