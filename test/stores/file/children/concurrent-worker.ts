/**
 * Concurrency test child: calls the shared cached functions over overlapping arguments, in an order of
 * its own, on one FileStore cache, checks every result, and reports what happened as one JSON line.
 */
import { isDeepStrictEqual } from "node:util";
import { Cache, FileStore, cache, setLogger } from "../../../../src/index.js";
import { CONCURRENCY_ARGS, concurrencyFunctions, expectedTable, series } from "./workload.js";

const [root, seedText] = process.argv.slice(2);
const warnings: string[] = [];
setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
const store = new FileStore({ root: root! });
cache(new Cache({ values: store, calls: store }));
let runs = 0;
const f = concurrencyFunctions(() => runs++);

// A per-worker shuffle, so the workers meet on the same keys at different times.
let x = Number(seedText) + 1;
const order = [...CONCURRENCY_ARGS].sort(() => ((x = (x * 16807) % 2147483647) / 2147483647) - 0.5);
const wrong: string[] = [];
for (const i of order) {
  const checks: [string, unknown, unknown][] = [
    ["square", await f.square(i), i * i],
    ["table", await f.table(i % 12), expectedTable(i % 12)],
    ["big", await f.big(i % 6), series(i % 6, 50_000)],
    ["concat", await f.concat([i % 5, 1, 2], i % 4), [i % 5, 1, 2, i % 4]],
  ];
  for (const [name, got, want] of checks) if (!isDeepStrictEqual(got, want)) wrong.push(`${name}(${i})`);
}
process.stdout.write(`${JSON.stringify({ runs, wrong, warnings })}\n`);
