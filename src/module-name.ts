/**
 * The default `module` of a wrapped function: where it was defined, as `package:path/without/extension`.
 * Python fleche keys by `__module__`; JavaScript has no such attribute, so fleche reads the file of the
 * code that called `fleche()` from the stack. Build directories (`src/`, `dist/`, `build/`) are stripped
 * so that a function keys the same whether it runs from TypeScript sources (tsx) or compiled output.
 * Pass `module` explicitly for identities that survive moving files.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { flechePackage } from "./package-root.js";

/**
 * fleche's own code (sources or build), whose stack frames are never the caller. Found at the first
 * use (it reads fleche's package.json): a program that names every function's module never pays for it.
 */
let ownDirsFound: string[] | undefined;
const BUILD_DIRS = new Set(["src", "dist", "build"]);
const packageCache = new Map<string, { root: string; name: string } | null>();

/** The module name of the first stack frame outside fleche itself, or null when there is no file. */
export function callerModule(): string | null {
  const file = callerFile(callerModule);
  return file ? moduleNameOf(file) : null;
}

/** The file of the first stack frame outside fleche itself (where `fleche()` was called), if any. */
export function callerPath(): string | undefined {
  return callerFile(callerPath);
}

/** `package:relative/path` for a file (exported for tests). */
export function moduleNameOf(file: string): string {
  const pkg = findPackage(dirname(file));
  if (!pkg) return stripExtension(basename(file));
  const segments = relative(pkg.root, file).split(sep);
  while (segments.length > 1 && BUILD_DIRS.has(segments[0]!)) segments.shift();
  return `${pkg.name}:${stripExtension(segments.join("/"))}`;
}

/** The first file outside fleche's own code on the stack above `from`. */
function callerFile(from: Function): string | undefined {
  const original = Error.prepareStackTrace;
  let sites: NodeJS.CallSite[] = [];
  try {
    Error.prepareStackTrace = (_, stack) => stack;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, from);
    sites = (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } finally {
    Error.prepareStackTrace = original;
  }
  for (const site of sites) {
    let file = site.getFileName();
    if (!file || file.startsWith("node:")) continue;
    if (file.startsWith("file:")) file = fileURLToPath(file);
    if ((ownDirsFound ??= ownDirs()).some((dir) => file!.startsWith(dir))) continue;
    return file;
  }
  return undefined;
}

function ownDirs(): string[] {
  // This module's directory is fleche's code wherever it runs from (a bundle puts it in the bundle's root
  // or its chunks/), besides the sources and the build of the package it belongs to.
  const here = dirname(fileURLToPath(import.meta.url));
  const bundle = basename(here) === "chunks" ? dirname(here) : here;
  const pkg = flechePackage();
  return [...(pkg ? [join(pkg.dir, "src"), join(pkg.dir, "dist")] : []), bundle].map((dir) => dir + sep);
}

function findPackage(dir: string): { root: string; name: string } | null {
  const cached = packageCache.get(dir);
  if (cached !== undefined) return cached;
  let found: { root: string; name: string } | null = null;
  const manifest = join(dir, "package.json");
  if (existsSync(manifest)) {
    try {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
      found = { root: dir, name: typeof name === "string" ? name : basename(dir) };
    } catch {
      found = { root: dir, name: basename(dir) };
    }
  } else if (dirname(dir) !== dir) {
    found = findPackage(dirname(dir));
  }
  packageCache.set(dir, found);
  return found;
}

function stripExtension(path: string): string {
  const ext = extname(path);
  return ext ? path.slice(0, -ext.length) : path;
}
