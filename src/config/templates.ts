/**
 * Cache templates: one line instead of two store tables. `template = "file"` with a `root` means file
 * values under `<root>/values` and file calls under `<root>/calls`; per-store options (compression,
 * signing keys) need the explicit `values`/`calls` form. Templates expand to a plain `values`/`calls`
 * table, so they combine with `read_only`, `max_size` and friends and nest inside stacks and pools.
 */
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { StoreConfig } from "../stores/types.js";

/** What a template expands to. */
export interface TemplateExpansion {
  readonly values: StoreConfig;
  readonly calls: StoreConfig;
}

/** Expands a template's arguments (everything in the table but `template`, `inline`, `lease` and the modifiers). */
export type TemplateExpander = (args: Readonly<Record<string, unknown>>, origin: string) => TemplateExpansion;

const templates = new Map<string, TemplateExpander>();

/** Make a template available under `name` (`template = "name"` in config). */
export function registerTemplate(name: string, expand: TemplateExpander): void {
  templates.set(name, expand);
}

/** The registered template names. */
export function templateNames(): string[] {
  return [...templates.keys()].sort();
}

/** Expand `template = name` with its arguments; `origin` names the table in errors. */
export function expandTemplate(name: unknown, args: Readonly<Record<string, unknown>>, origin: string): TemplateExpansion {
  const expand = typeof name === "string" ? templates.get(name) : undefined;
  if (!expand) {
    throw new ConfigError(`${origin}: unknown cache template ${JSON.stringify(name)} in key \`template\` (choose from ${templateNames().join(", ")})`);
  }
  return expand(args, origin);
}

/** The SQLite URL of a file path (SQLAlchemy form: `sqlite:///relative`, `sqlite:////absolute`). */
export function sqliteUrl(path: string): string {
  return `sqlite:///${path}`;
}

/** Check a template's arguments: `required` must be there, nothing outside `allowed` may be. */
function checkArgs(template: string, args: Readonly<Record<string, unknown>>, origin: string, required: string[], optional: string[] = []): void {
  const hint = "Use explicit `values`/`calls` store tables for other options.";
  for (const key of Object.keys(args)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new ConfigError(`${origin}: invalid arguments for cache template '${template}': unexpected key \`${key}\`. ${hint}`);
    }
  }
  for (const key of required) {
    if (typeof args[key] !== "string" || args[key] === "") {
      throw new ConfigError(`${origin}: invalid arguments for cache template '${template}': \`${key}\` must be a non-empty string`);
    }
  }
}

/** A template with the same store kind for values and calls, each under its own sub-directory of `root`. */
function directoryTemplate(type: string): TemplateExpander {
  return (args, origin) => {
    checkArgs(type, args, origin, ["root"]);
    const root = args.root as string;
    return { values: { type, root: join(root, "values") }, calls: { type, root: join(root, "calls") } };
  };
}

registerTemplate("memory", (args, origin) => {
  checkArgs("memory", args, origin, []);
  return { values: { type: "memory" }, calls: { type: "memory" } };
});
registerTemplate("file", directoryTemplate("file"));
registerTemplate("hdf5", directoryTemplate("hdf5"));
/**
 * `sql`: values on disk under `<root>/values` (file store by default; `values = "hdf5"` or a full store
 * table to choose), calls in SQLite at `<root>/calls.db` (or at `url`, e.g. a PostgreSQL server).
 */
registerTemplate("sql", (args, origin) => {
  checkArgs("sql", args, origin, ["root"], ["values", "url"]);
  const root = args.root as string;
  const values = args.values ?? "file";
  let valueStore: StoreConfig;
  if (typeof values === "string") valueStore = { type: values, root: join(root, "values") };
  else if (typeof values === "object" && values !== null && !Array.isArray(values) && typeof (values as StoreConfig).type === "string") {
    valueStore = values as StoreConfig;
  } else {
    throw new ConfigError(`${origin}: invalid arguments for cache template 'sql': \`values\` must be a store type name or a store table`);
  }
  if (args.url !== undefined && (typeof args.url !== "string" || args.url === "")) {
    throw new ConfigError(`${origin}: invalid arguments for cache template 'sql': \`url\` must be a non-empty string`);
  }
  const url = (args.url as string | undefined) ?? sqliteUrl(join(root, "calls.db"));
  return { values: valueStore, calls: { type: "sql", url } };
});
