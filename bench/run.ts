/**
 * `npm run bench`: every section under bench/sections, in name order, each printing its own tables.
 * `npm run bench -- core` runs only the sections whose file name contains "core"; several filters run
 * the sections matching any of them. A filter that matches no section is an error, before anything runs.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";
import { selectSections } from "./select.js";

const dir = fileURLToPath(new URL("./sections/", import.meta.url));
const all = readdirSync(dir).filter((f) => f.endsWith(".ts"));
const selection = selectSections(all, process.argv.slice(2));
if ("unmatched" in selection) {
  const names = [...all].sort().map((f) => f.replace(/\.ts$/, ""));
  console.error(`npm run bench: no section matches ${selection.unmatched.map((f) => `'${f}'`).join(", ")}; the sections are: ${names.join(", ")}`);
  process.exit(2);
}
const sections = selection.run;

console.log(`# fleche benchmarks\n`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; medians of timed batches; ratios against baselines from this run.`);
for (const file of sections) {
  const section = (await import(new URL(`./sections/${file}`, import.meta.url).href)) as { default: () => Promise<void> };
  await section.default();
}
