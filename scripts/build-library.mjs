/**
 * The library's JavaScript as published: esbuild bundles it into a few files (library, CLI, shared
 * chunks), and the worker threads' start file is copied next to the worker it loads. `build.mjs` builds
 * it into `dist/`; a test builds it elsewhere to run worker threads from the bundle.
 */
import { build } from "esbuild";
import { copyFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));

/** Bundle the library into `outdir` (absolute, or relative to the repository). */
export async function buildLibrary(outdir) {
  const out = resolve(repo, outdir);
  await build({
    // One entry per published subpath (package.json `exports`); shared code goes to chunks, loaded once.
    // The lease suite's child process is a script of its own, started by path (`testing/lease-child.js`);
    // so is the worker of `threads()`, loaded by parallel/worker-entry.mjs (copied below).
    entryPoints: {
      index: join(repo, "src/index.ts"),
      "store-kit": join(repo, "src/store-kit.ts"),
      testing: join(repo, "src/testing.ts"),
      "testing/lease-child": join(repo, "src/testing/lease-child.ts"),
      "cli/main": join(repo, "src/cli/main.ts"),
      "parallel/worker": join(repo, "src/parallel/worker.ts"),
    },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: true,
    logLevel: "warning",
  });
  // Plain JavaScript already: it must load before any TypeScript loader is registered in the thread.
  for (const file of ["worker-entry.mjs", "typescript-probe.mts"]) copyFileSync(join(repo, "src/parallel", file), join(out, "parallel", file));
}
