/**
 * Compile the library and a child script to plain JavaScript under bench/.work/js (one file per module,
 * like a published build), or bundle them into one file, so child processes measure Node and fleche,
 * not a TypeScript loader.
 */
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../", import.meta.url));
export const WORK = join(repo, "bench", ".work");

/** Compile src/ and `scripts` (paths relative to the repository); returns the compiled path of each script. */
export async function compile(...scripts: string[]): Promise<string[]> {
  const sources = readdirSync(join(repo, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(repo, "src", f));
  const outdir = join(WORK, "js");
  await build({
    entryPoints: [...sources, ...scripts.map((s) => join(repo, s))],
    outdir,
    outbase: repo,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  return scripts.map((s) => join(outdir, s.replace(/\.ts$/, ".js")));
}

/** Bundle `script` and the library into one file under bench/.work/bundle (packages stay external). */
export async function bundle(script: string): Promise<string> {
  const outfile = join(WORK, "bundle", script.replace(/\.ts$/, ".mjs"));
  await build({ entryPoints: [join(repo, script)], outfile, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "error" });
  return outfile;
}
