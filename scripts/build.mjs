/**
 * The published build: `tsc` writes the type declarations, esbuild bundles the JavaScript into a few
 * files (library, CLI, shared chunks). One bundle loads several times faster than a tree of ~200 modules,
 * which is most of a short program's start-up (see docs/stores.md, "Performance"). Dependencies stay
 * external and load lazily where they are heavy.
 */
import { rmSync } from "node:fs";
import { buildLibrary } from "./build-library.mjs";
import { buildUi } from "./build-ui.mjs";

rmSync("dist", { recursive: true, force: true });
await buildLibrary("dist");

// The browser files of `fleche ui` (dist/web/; dist/ui/ holds the server's declarations): bundled separately, for browsers.
await buildUi();
