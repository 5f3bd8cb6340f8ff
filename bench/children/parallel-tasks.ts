/**
 * The wrapped functions of the parallel bench (bench/sections/75-parallel.ts), in a module of their own:
 * `f.map` reaches them in worker threads by module URL and export name.
 */
import { performance } from "node:perf_hooks";
import { fleche } from "../../src/index.js";

/** Spins the CPU for `ms` milliseconds (`i` tells the calls apart); returns i. */
export const spin = fleche(function spin(i: number, ms: number) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x++;
  return x >= 0 ? i : -i;
});

/** 2i: a call whose hits the bench measures. */
export const twice = fleche(function twice(i: number) {
  return 2 * i;
});
