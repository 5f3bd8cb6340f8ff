/**
 * The published build: `tsc` writes the type declarations, esbuild bundles the JavaScript into a few
 * files (library, CLI, shared chunks). One bundle loads several times faster than a tree of ~200 modules,
 * which is most of a short program's start-up (see docs/stores.md, "Performance"). Dependencies stay
 * external and load lazily where they are heavy.
 */
import { build } from "esbuild";
import { copyFileSync, rmSync } from "node:fs";
import { buildUi } from "./build-ui.mjs";

rmSync("dist", { recursive: true, force: true });
await build({
  // One entry per published subpath (package.json `exports`); shared code goes to chunks, loaded once.
  // The lease suite's child process is a script of its own, started by path (`testing/lease-child.js`).
  entryPoints: {
    index: "src/index.ts",
    "store-kit": "src/store-kit.ts",
    testing: "src/testing.ts",
    "testing/lease-child": "src/testing/lease-child.ts",
    "cli/main": "src/cli/main.ts",
    // The worker threads of `threads()` start from parallel/worker-entry.mjs (copied below), which loads this.
    "parallel/worker": "src/parallel/worker.ts",
  },
  outdir: "dist",
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

// The worker threads' start file is plain JavaScript already (it must load before any TypeScript loader).
for (const file of ["worker-entry.mjs", "typescript-probe.mts"]) copyFileSync(`src/parallel/${file}`, `dist/parallel/${file}`);

// The browser files of `fleche ui` (dist/web/; dist/ui/ holds the server's declarations): bundled separately, for browsers.
await buildUi();
