/**
 * Child processes for reliability tests start from a bundle of their script (esbuild, which tsx ships
 * with): plain `node bundle.mjs` starts in a fraction of a second, where `node --import tsx` needs over
 * one on this machine, and the crash tests start dozens of children.
 */
import { build } from "esbuild";
import { mkdirSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** Bundle `entry` (a path relative to the repository) into `outDir`; returns the runnable file. */
export async function bundleScript(entry: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  // Packages stay external and resolve through a link to the repository's node_modules.
  try {
    symlinkSync(join(repo, "node_modules"), join(outDir, "node_modules"), "dir");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const outfile = join(outDir, `${basename(entry).replace(/\.ts$/, "")}.mjs`);
  await build({
    entryPoints: [join(repo, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error",
  });
  return outfile;
}
