/** A writer that holds the lock of "ab.h5" for a while: it stores a large array (the parent kills it mid-write). */
import { Hdf5Store } from "../../../../src/index.js";

const [root, key] = process.argv.slice(3) as [string, string];
const store = new Hdf5Store({ root });
const big = new Float64Array(40_000_000).fill(1);
for (;;) {
  await store.saveValue(big, key);
  await store.evictValue(key);
}
