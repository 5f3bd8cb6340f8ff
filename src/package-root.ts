/**
 * Where fleche itself is installed: the directory of its package.json, found by walking up from this
 * module. Works from the TypeScript sources, the compiled per-module output and the bundled build alike
 * (each sits at a different depth below the root).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: { dir: string; version: string } | null | undefined;

/** fleche's package directory and version, or null when they cannot be found. */
export function flechePackage(): { readonly dir: string; readonly version: string } | null {
  if (root !== undefined) return root;
  root = null;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
        if (pkg.name === "fleche") {
          root = { dir, version: typeof pkg.version === "string" ? pkg.version : "unknown" };
          break;
        }
      } catch {
        // not a readable manifest: keep walking
      }
    }
    if (dirname(dir) === dir) break;
  }
  return root;
}
