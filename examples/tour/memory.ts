/**
 * Memory storage: everything in the process's heap. The simplest backend, for tests and for work that
 * need not outlive the process.
 */
import { Cache, Memory, cache, fleche } from "../../src/index.js";
import { heading } from "./print.js";

export async function memoryCell(): Promise<void> {
  heading("Memory storage", "The `Memory` store keeps everything in memory: nothing persists beyond the process.");

  // Using Memory for both values and calls
  const memoryCache = new Cache({ values: new Memory(), calls: new Memory() });
  {
    using _ = cache(memoryCache);
    const add = fleche(function add(a: number, b: number) {
      console.log(`Executing add(${a}, ${b})`);
      return a + b;
    });
    console.log(`Result 1: ${await add(2, 3)}`);
    console.log(`Result 2: ${await add(2, 3)}`); // served from the cache: no "Executing" line
  }
  console.log("Cache keys in calls storage:", await memoryCache.callKeys());
}
