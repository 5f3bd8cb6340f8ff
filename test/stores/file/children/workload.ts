/**
 * The cached functions and values the reliability tests' child processes and the tests themselves
 * share. Everything is deterministic, so any process can tell whether a loaded value is right.
 */
import { fleche, type FileStoreOptions } from "../../../../src/index.js";

/** Store settings the crash runs rotate through. */
export const CRASH_VARIANTS: readonly Omit<FileStoreOptions, "root">[] = [
  { serializer: "v8" },
  { serializer: "v8", compress: "gzip", secretKey: "5e".repeat(32) },
  { serializer: "json" },
  { serializer: "msgpack" },
];

/** A deterministic pseudo-random float64 series. */
export function series(seed: number, length: number): Float64Array {
  const out = new Float64Array(length);
  let x = (seed * 2654435761) % 4294967296 || 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = x / 2147483648 - 0.5;
  }
  return out;
}

/**
 * Value `i` of crash run `run`: about 300 kB each (above the synchronous-write limit), alternating a raw
 * Float64Array, a split object holding one, and a long string.
 */
export function largeValue(run: number, i: number): unknown {
  const seed = run * 1000 + i;
  switch (i % 3) {
    case 0:
      return series(seed, 40_000);
    case 1:
      return { id: seed, rows: Array.from({ length: 4 }, (_, r) => [r, seed, `row ${r}`]), blob: series(seed, 36_000) };
    default:
      return `${seed}:`.padEnd(300_000, String.fromCharCode(97 + (seed % 26)));
  }
}

/** The cached functions of the concurrency test; `onRun` counts body executions. */
export function concurrencyFunctions(onRun: (name: string) => void) {
  const module = "fleche-test:reliability";
  return {
    square: fleche((x: number) => (onRun("square"), x * x), { name: "square", module, params: ["x"] }),
    table: fleche((id: number) => (onRun("table"), expectedTable(id)), { name: "table", module, params: ["id"] }),
    big: fleche((n: number) => (onRun("big"), series(n, 50_000)), { name: "big", module, params: ["n"] }),
    concat: fleche((a: number[], b: number) => (onRun("concat"), [...a, b]), { name: "concat", module, params: ["a", "b"] }),
  };
}

export function expectedTable(id: number): unknown {
  return { id, shared: { unit: "m", scale: [1, 10, 100] }, rows: Array.from({ length: 30 }, (_, r) => ({ r, v: [r * id, r + id] })), blob: series(id, 5_000) };
}

/** The arguments every concurrency worker calls (in its own shuffled order). */
export const CONCURRENCY_ARGS = Array.from({ length: 48 }, (_, i) => i);
