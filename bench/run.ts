/**
 * `npm run bench`: every section under bench/sections, in name order, each printing its own tables.
 * `npm run bench -- core` runs only the sections whose file name contains "core"; several filters run
 * the sections matching any of them. A filter that matches no section is an error, before anything runs.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";

const filters = process.argv.slice(2);
const dir = fileURLToPath(new URL("./sections/", import.meta.url));
const all = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const unmatched = filters.filter((filter) => !all.some((f) => f.includes(filter)));
if (unmatched.length) {
  console.error(`npm run bench: no section matches ${unmatched.map((f) => `'${f}'`).join(", ")}; the sections are: ${all.map((f) => f.replace(/\.ts$/, "")).join(", ")}`);
  process.exit(2);
}
const sections = all.filter((f) => !filters.length || filters.some((filter) => f.includes(filter)));

console.log(`# fleche benchmarks\n`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; medians of timed batches; ratios against baselines from this run.`);
for (const file of sections) {
  const section = (await import(new URL(`./sections/${file}`, import.meta.url).href)) as { default: () => Promise<void> };
  await section.default();
}
