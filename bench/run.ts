/**
 * `npm run bench`: every section under bench/sections, in name order, each printing its own tables.
 * `npm run bench -- core` runs only the sections whose file name contains "core".
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";

const filter = process.argv[2];
const dir = fileURLToPath(new URL("./sections/", import.meta.url));
const sections = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && (!filter || f.includes(filter)))
  .sort();

console.log(`# fleche benchmarks\n`);
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; medians of timed batches; ratios against baselines from this run.`);
for (const file of sections) {
  const section = (await import(new URL(`./sections/${file}`, import.meta.url).href)) as { default: () => Promise<void> };
  await section.default();
}
