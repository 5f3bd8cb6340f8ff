/**
 * Child process of the file-store benchmark (run compiled, with plain node):
 *   first <root>          open a FileStore cache and make one hit of tiny(7, 0), then exit
 *   phases <root>         the same, printing how long the import, the setup and the first hit took
 *   thousand <root>       after the first hit, time the hits tiny(i, 0) for i < 1000; prints {"ms"}
 *   load <root> <n>       time the hit of big(n) (a Float64Array of n elements); prints {"ms"}
 *   floor <file>          the floor of that load: one readSync of the whole file into a fresh buffer; prints {"ms"}
 * With `--sql` anywhere, values go to a FileStore under <root>/values and calls to SQLite (<root>/calls.db).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const started = performance.now();
const argv = process.argv.slice(2);
const sql = argv.includes("--sql");
const [mode, root, n] = argv.filter((a) => a !== "--sql");
if (mode === "floor") {
  const start = performance.now();
  const fd = openSync(root!, "r");
  const bytes = Buffer.allocUnsafeSlow(fstatSync(fd).size);
  readSync(fd, bytes, 0, bytes.length, 0);
  closeSync(fd);
  console.log(JSON.stringify({ ms: performance.now() - start, length: bytes.length }));
  process.exit(0);
}
const { Cache, FileStore, Sql, cache, fleche } = await import("../../src/index.js");
const imported = performance.now();

if (sql) {
  cache(new Cache({ values: new FileStore({ root: `${root!}/values` }), calls: new Sql({ url: `${root!}/calls.db` }) }));
} else {
  const store = new FileStore({ root: root! });
  cache(new Cache({ values: store, calls: store }));
}
const module = "fleche-bench:file";
const tiny = fleche((a: number, b: number) => a + b, { name: "tiny", module, params: ["a", "b"] });
const big = fleche(
  (size: number): Float64Array => {
    throw new Error(`big(${size}) should have been a hit`);
  },
  { name: "big", module, params: ["n"] },
);
const ready = performance.now();

if (mode === "first") {
  await tiny(7, 0);
} else if (mode === "phases") {
  await tiny(7, 0);
  const hit = performance.now();
  console.log(JSON.stringify({ start: started, import: imported - started, setup: ready - imported, firstHit: hit - ready }));
} else if (mode === "thousand") {
  await tiny(7, 0);
  const start = performance.now();
  for (let i = 0; i < 1000; i++) await tiny(i, 0);
  console.log(JSON.stringify({ ms: performance.now() - start }));
} else if (mode === "load") {
  const start = performance.now();
  const array = await big(Number(n));
  console.log(JSON.stringify({ ms: performance.now() - start, length: array.length }));
}
