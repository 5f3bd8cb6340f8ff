/**
 * HDF5 storage: values in HDF5 files, the format of the scientific ecosystem. Particularly efficient for
 * large numerical arrays, and readable without fleche: h5py, h5ls/h5dump and every other HDF5 tool open
 * the files (see docs/hdf5-format.md).
 *
 * As in the original's tour, the calls of the first cell go to a file store, and the mixed cache puts
 * HDF5 values next to SQL call records.
 */
import { readdirSync, rmSync } from "node:fs";
import { Cache, FileStore, Hdf5Store, Sql, cache, fleche, ndarray } from "../../src/index.js";
import { heading } from "./print.js";

const sum = (array: { data: Float64Array }) => array.data.reduce((a, b) => a + b, 0);

export async function hdf5Cell(): Promise<void> {
  heading(
    "Hdf5Store storage",
    "The `Hdf5Store` keeps values in HDF5 files. This is particularly efficient for large numerical arrays (typed arrays and `NdArray`).",
  );

  rmSync(".fleche-demo/hdf5_cache", { recursive: true, force: true });
  const hdf5Cache = new Cache({
    values: new Hdf5Store({ root: ".fleche-demo/hdf5_cache/values" }),
    calls: new FileStore({ root: ".fleche-demo/hdf5_cache/calls" }), // calls as JSON files
  });
  {
    using _ = cache(hdf5Cache);
    const makeArray = fleche(function makeArray(n: number) {
      console.log(`Executing makeArray(${n})`);
      return ndarray(new Float64Array(n * n).fill(1), [n, n]);
    });
    console.log(`Array sum: ${sum(await makeArray(5))}`);
    console.log(`Array sum: ${sum(await makeArray(5))}`); // served from the HDF5 file: no "Executing" line
  }
  console.log("Files in H5 values storage:");
  for (const name of readdirSync(".fleche-demo/hdf5_cache/values").sort()) console.log(name);
  await hdf5Cache.close();
}

/** The mixed cache: HDF5 values, SQL call records. */
export async function mixCell(): Promise<void> {
  heading(
    "Mix and match",
    "Values and calls can live in different stores: HDF5 for large values, SQL for call records that are queried.",
  );
  rmSync(".fleche-demo/mixed_cache", { recursive: true, force: true });
  const mixedCache = new Cache({
    values: new Hdf5Store({ root: ".fleche-demo/mixed_cache/values" }),
    calls: new Sql({ url: "sqlite:///.fleche-demo/mixed_cache/calls.db" }),
  });
  {
    using _ = cache(mixedCache);
    const computeHeavy = fleche(function computeHeavy(x: number) {
      return ndarray(Float64Array.from({ length: x * x }, Math.random), [x, x]);
    });
    await computeHeavy(10);
  }
  console.log(`Value storage: ${mixedCache.values.constructor.name}`);
  console.log(`Call storage: ${mixedCache.calls.constructor.name}`);
  await mixedCache.close();
}
