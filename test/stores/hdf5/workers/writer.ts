/** A writer process: saves `count` values into one shared prefix file, then evicts the even ones. */
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Hdf5Store } from "../../../../src/index.js";
import { workerKey, workerValue } from "./keys.js";

const [root, worker, count, go] = process.argv.slice(3) as [string, string, string, string];
const store = new Hdf5Store({ root });
await store.containsValue(workerKey(0, 0)); // h5wasm ready before the start signal
while (!existsSync(go)) await sleep(1);
for (let i = 0; i < Number(count); i++) await store.saveValue(workerValue(Number(worker), i), workerKey(Number(worker), i));
for (let i = 0; i < Number(count); i += 2) await store.evictValue(workerKey(Number(worker), i));
await store.close();
