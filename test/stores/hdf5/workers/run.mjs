/**
 * Runs a TypeScript worker module in a child process, with h5wasm loaded *before* tsx's loader is
 * registered. Under tsx, importing h5wasm's 4 MB wasm-in-JS module takes several seconds (tsx rewrites
 * its dynamic imports); loaded first, it takes a few hundred milliseconds, which keeps the multi-process
 * tests quick. The worker then imports the same, already loaded h5wasm instance.
 *
 * Usage: node run.mjs <worker.ts> [args...]   (the worker reads its args from process.argv.slice(3))
 */
const h5wasm = await import("h5wasm/node");
await h5wasm.ready;
const { register } = await import("tsx/esm/api");
register();
await import(new URL(process.argv[2], import.meta.url).href);
