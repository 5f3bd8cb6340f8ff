/**
 * The UI's static files (page, script, styles), built by `npm run build` into `dist/web/` of the
 * package and served from there; nothing is fetched from anywhere else. `FLECHE_UI_ASSETS` (or the
 * server's `assets` option) points elsewhere, e.g. at a build made by tests.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { ConfigError } from "../errors.js";
import { flechePackage } from "../package-root.js";

/** One file, ready to serve. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The files the UI consists of, by URL path. */
export const ASSET_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/app.css": "app.css",
};

/** The directory holding the built UI. @throws ConfigError when it holds no build. */
export function assetDirectory(given?: string): string {
  const dir = given ?? process.env.FLECHE_UI_ASSETS ?? join(flechePackage()?.dir ?? ".", "dist", "web");
  if (!existsSync(join(dir, "index.html"))) {
    throw new ConfigError(`fleche ui: the UI's files are not built (no index.html in ${dir}); run \`npm run build\` in the fleche package, or set FLECHE_UI_ASSETS to a built UI`);
  }
  return dir;
}

/** Load every asset of `dir` once (they are small and never change while serving). */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const [path, file] of Object.entries(ASSET_FILES)) {
    const full = join(dir, file);
    if (existsSync(full)) out.set(path, { type: TYPES[extname(file)] ?? "application/octet-stream", body: readFileSync(full) });
  }
  return out;
}
