/**
 * Crash test child: writes the 200 large values of one run through a cached function on a FileStore
 * until it is killed. Prints "ready" before the first write and the index of each value once stored.
 */
import { Cache, FileStore, cache, fleche } from "../../../../src/index.js";
import { CRASH_VARIANTS, largeValue } from "./workload.js";

const [root, runText] = process.argv.slice(2);
const run = Number(runText);
const store = new FileStore({ root: root!, ...CRASH_VARIANTS[run % CRASH_VARIANTS.length]! });
cache(new Cache({ values: store, calls: store }));
const make = fleche((r: number, i: number) => largeValue(r, i), { name: "largeValue", module: "fleche-test:crash", params: ["run", "i"] });
process.stdout.write("ready\n");
for (let i = 0; i < 200; i++) {
  await make(run, i);
  process.stdout.write(`${i}\n`);
}
process.stdout.write("done\n");
