/**
 * Configuration: caches named in a `fleche.toml`, found from the working directory up to your home
 * directory, so code never hard-codes where results live. Then a stack: a fast memory layer in front of
 * the configured cache.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cache, CacheStack, Memory, cache, describeConfig, fleche, withCache } from "../../src/index.js";
import { resetConfig } from "../../src/config/resolve.js";
import { heading } from "./print.js";

// The project's config file: a persistent cache of files next to it (values under cache/values, call
// records under cache/calls; relative paths resolve against the file's own directory).
const FLECHE_TOML = `[default]
cache = "persistent"

[persistent]
template = "file"
root = "cache"
`;

export async function configCell(): Promise<void> {
  heading(
    "Configuration files",
    "A `fleche.toml` names caches; `[default] cache` picks the one wrapped functions use. Files are looked up from the working directory to your home directory, closest first.",
  );
  const project = mkdtempSync(join(tmpdir(), "fleche-tour-"));
  writeFileSync(join(project, "fleche.toml"), FLECHE_TOML);
  const here = process.cwd();
  process.chdir(project); // as if the program were started in the project
  resetConfig(); // forget what was resolved before, read the project's config on next use
  try {
    const config = describeConfig();
    console.log(`Read: ${config.read.join(", ")}`);
    console.log(`Default cache: ${JSON.stringify(config.defaultCache.choice)} from ${config.defaultCache.source}`);
    const configured = cache();
    console.log("It is built from:", JSON.stringify(configured.toConfig()));

    const slowSquare = fleche(function slowSquare(x: number) {
      console.log(`Computing slowSquare(${x})`);
      return x * x;
    });
    console.log(`slowSquare(4) = ${await slowSquare(4)}`);

    resetConfig(); // a fresh cache from the same config, as a new process would build it
    console.log(`After a restart: slowSquare(4) = ${await slowSquare(4)} (read from ${join("cache", "calls")}, no "Computing")`);

    heading("A stack: memory in front", "Writes go to the first layer; a call found in a lower layer is copied up on first read.");
    const fast = new Cache({ values: new Memory(), calls: new Memory() });
    const stack = new CacheStack([fast, cache()]); // in TOML: one [[name]] table per layer, first layer first
    await withCache(stack, async () => {
      console.log(`slowSquare(4) = ${await slowSquare(4)}`); // found in the configured cache, no "Computing"
      console.log(`slowSquare(5) = ${await slowSquare(5)}`); // computed, stored in the memory layer
    });
    console.log(`The memory layer holds ${await fast.query().count()} calls (one copied up, one computed).`);
    console.log("Stack config:", JSON.stringify(stack.toConfig()));
  } finally {
    process.chdir(here);
    resetConfig();
    rmSync(project, { recursive: true, force: true });
  }
}
