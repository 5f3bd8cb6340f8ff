/**
 * The storage-backend tour: fleche's stores, one cell at a time, retelling the original's
 * StorageBackends notebook in TypeScript. Run it with `npm run demo`.
 *
 * A cache is two stores: **values** (arguments and results, by content digest) and **calls** (one small
 * record per call). Stores mix and match to suit the data.
 */
import { rmSync } from "node:fs";
import { memoryCell } from "./tour/memory.js";
import { filesCell } from "./tour/files.js";
import { hdf5Cell, mixCell } from "./tour/hdf5.js";
import { sqlCell } from "./tour/sql.js";
import { configCell } from "./tour/config.js";

console.log("# fleche storage backends");
await memoryCell();
await filesCell();
await hdf5Cell();
await sqlCell();
await mixCell();
await configCell();

// Clean up: the tour's caches live under .fleche-demo/ in the working directory.
rmSync(".fleche-demo", { recursive: true, force: true });
