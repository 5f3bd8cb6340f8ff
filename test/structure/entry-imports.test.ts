/**
 * Importing fleche loads no package but Node's own modules. Every package the published entry point
 * imports statically is loaded and compiled before a program's first line runs, whether it ever draws a
 * progress bar, opens SQLite or reads a config file; cli-progress alone once added 11 ms to the start of
 * every program. Packages load where they are first used (`createRequire` or `import()`), which keeps
 * the first hit of a new process close to bare Node's start (docs/performance.md).
 *
 * The check reads the published bundle (built as `npm run build` builds it) with acorn: every static
 * `import`/`export … from` of the entry files and of the chunks they import, transitively.
 */
import { before, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "acorn";
import { buildLibrary } from "../../scripts/build-library.mjs";
import { tempDirs } from "../helpers/temp.js";

const out = tempDirs("entry-imports")();
before(() => buildLibrary(out));

/** The specifiers `file` imports statically. */
function staticImports(file: string): string[] {
  const program = parse(readFileSync(file, "utf8"), { ecmaVersion: "latest", sourceType: "module" });
  const found: string[] = [];
  for (const node of program.body) {
    if (node.type === "ImportDeclaration" || ((node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration") && node.source)) {
      found.push(String(node.source!.value));
    }
  }
  return found;
}

/** Packages (bare specifiers other than `node:` modules) reached statically from `entry`, each with the file importing it. */
function packagesReached(entry: string): string[] {
  const seen = new Set<string>();
  const packages: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith("node:")) packages.push(`${specifier} (imported by ${file.slice(out.length + 1)})`);
    }
  };
  visit(entry);
  return packages;
}

for (const entry of ["index.js", "store-kit.js"]) {
  it(`${entry} imports no package at load, only Node's modules`, () => {
    assert.deepEqual(packagesReached(join(out, entry)), []);
  });
}

it("the check sees a package the CLI imports at load", () => {
  // The CLI may load its parser at start (it needs it at once); this shows the walk finds such imports.
  assert.ok(packagesReached(join(out, "cli/main.js")).some((p) => p.startsWith("commander ")));
});
