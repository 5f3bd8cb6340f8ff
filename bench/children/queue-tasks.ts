/**
 * The wrapped function `bench/sections/80-queue.ts` sends through a job queue: `fleche worker` processes
 * `--import` this module, and the bench maps over it. A trivial body, so what is measured is the cost of
 * getting a call to a worker and its result back.
 */
import { fleche } from "../../src/index.js";

/** x + 1. */
export const increment = fleche(function increment(x: number) {
  return x + 1;
});
