/**
 * A process writing large values without end: `value-writer.ts <url>` saves 20 MB Float64Arrays (each
 * different), printing `saved <key>` after each, until it is killed.
 */
import { Sql } from "../../../../src/index.js";

const [url] = process.argv.slice(2) as [string];
const store = new Sql({ url });
for (let i = 0; ; i++) {
  const value = new Float64Array((20 * 1024 * 1024) / 8).fill(i);
  process.stdout.write(`saving ${i}\n`);
  process.stdout.write(`saved ${await store.saveValue(value)}\n`);
}
