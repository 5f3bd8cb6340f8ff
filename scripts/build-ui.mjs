/**
 * The UI's browser files (`fleche ui`): ui/client/ bundled by esbuild into OUTDIR/app.js and app.css
 * (preact, htm and uPlot included, minified), with index.html copied next to them. Run by
 * scripts/build.mjs into dist/web/; tests call `buildUi` into a directory of their own.
 *
 *   node scripts/build-ui.mjs [OUTDIR]   (default dist/web)
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundle the UI into `outdir`. */
export async function buildUi(outdir = join(ROOT, "dist", "web")) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(ROOT, "ui", "client", "main.ts") },
    outdir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: true,
    sourcemap: false,
    legalComments: "eof",
    logLevel: "warning",
    absWorkingDir: ROOT,
  });
  copyFileSync(join(ROOT, "ui", "client", "index.html"), join(outdir, "index.html"));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildUi(process.argv[2] ? resolve(process.argv[2]) : undefined);
}
