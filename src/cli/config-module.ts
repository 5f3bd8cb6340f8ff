/**
 * `--config FILE`: which files may be used, checked before anything runs. A JS module is run to read its
 * config, so a file that is not a config must be refused before it is imported: the extension first,
 * then its source is parsed (never run) to see that it exports a config (`export default` or an export
 * named `config`).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { ConfigError } from "../errors.js";

/** How a config file is read. */
export type ConfigFileKind = "toml" | "json" | "module";

/** The kind of `path` by its extension; refuses what the CLI cannot use as a config. */
export function configFileKind(path: string): ConfigFileKind {
  const ext = extname(path).toLowerCase();
  if (ext === ".toml") return "toml";
  if (ext === ".json") return "json";
  if (ext === ".mjs" || ext === ".js") return "module";
  if (ext === ".ts" || ext === ".mts" || ext === ".cts") {
    throw new ConfigError(`--config ${path}: the CLI reads TOML, JSON and JavaScript modules (.mjs, .js); write this config as a .mjs module (defineConfig works the same) or as TOML`);
  }
  throw new ConfigError(`--config ${path}: not a config file type the CLI reads (${ext || "no extension"}); expected .toml, .json, .mjs or .js`);
}

/**
 * Refuse a JS module that does not export a config, without running it: its source must parse as an ES
 * module and export `default` or `config`.
 */
export function checkConfigModule(path: string): void {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`--config ${path}: ${(error as Error).message}`, { cause: error });
  }
  const acorn = createRequire(import.meta.url)("acorn") as typeof import("acorn");
  let program: import("acorn").Program;
  try {
    program = acorn.parse(source, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true });
  } catch (error) {
    throw new ConfigError(`--config ${path}: not an ES module (${(error as Error).message}); it was not run`, { cause: error });
  }
  if (!exportsConfig(program)) {
    throw new ConfigError(`--config ${path}: this module exports no config (expected \`export default defineConfig({...})\` or \`export const config = ...\`); it was not run`);
  }
}

function exportsConfig(program: import("acorn").Program): boolean {
  for (const node of program.body) {
    if (node.type === "ExportDefaultDeclaration") return true;
    if (node.type !== "ExportNamedDeclaration") continue;
    const declaration = node.declaration;
    if (declaration?.type === "VariableDeclaration") {
      if (declaration.declarations.some((d) => d.id.type === "Identifier" && d.id.name === "config")) return true;
    } else if (declaration && "id" in declaration && declaration.id?.name === "config") {
      return true;
    }
    for (const specifier of node.specifiers) {
      const exported = specifier.exported;
      const name = exported.type === "Identifier" ? exported.name : String(exported.value);
      if (name === "default" || name === "config") return true;
    }
  }
  return false;
}
