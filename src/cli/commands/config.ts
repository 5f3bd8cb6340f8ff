/** `fleche config`: the configuration this directory resolves to, and which file each part came from. */
import { stringify } from "smol-toml";
import { describeConfig } from "../../config/describe.js";

/** Options of `fleche config`. */
export interface ConfigCommandOptions {
  readonly json?: boolean;
}

/** Print the resolved configuration. */
export function config(options: ConfigCommandOptions): void {
  const d = describeConfig();
  if (options.json) {
    process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return;
  }
  const lines = ["# Configuration files, closest first"];
  const failed = new Map(d.failed.map((f) => [f.file, f.message]));
  const rootIndex = d.rootFile === undefined ? -1 : d.searched.indexOf(d.rootFile);
  for (const file of d.read) if (!d.searched.includes(file)) lines.push(`#   read        ${file} (given in code or with --config)`);
  d.searched.forEach((file, i) => {
    if (failed.has(file)) lines.push(`#   unreadable  ${failed.get(file)}`);
    else if (d.read.includes(file)) lines.push(`#   read        ${file}${file === d.rootFile ? "  ([default] root = true: the search stops here)" : ""}`);
    else if (rootIndex !== -1 && i > rootIndex) lines.push(`#   not read    ${file} (beyond root = true)`);
    else lines.push(`#   absent      ${file}`);
  });
  if (d.read.length === 0) lines.push("# No config file found: the default cache is in memory.");
  lines.push(`# Default cache: ${JSON.stringify(d.defaultCache.choice)} (${d.defaultCache.source})`);
  lines.push(`# Strict: ${d.strict.value ? "yes" : "no"} (${d.strict.source})`);
  for (const table of d.tables) {
    lines.push("", `# from ${table.file}`, stringify({ [table.name]: table.value }).trimEnd());
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
