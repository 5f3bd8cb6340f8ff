/**
 * The shape of `f.map`: its options, its progress counts and what it returns. Types only, so that
 * `wrapped.ts` can name them without loading the map.
 */
import type { Executor } from "./executor.js";

/** Options of `f.map(argsList, options)`. */
export interface MapOptions {
  /** How many misses run at once. @default the executor's `concurrency` (the pool's size) */
  readonly concurrency?: number;
  /** Aborting stops dispatching (entries not yet started reject with the signal's reason) and ends running tasks. */
  readonly signal?: AbortSignal;
  /** Called with the counts whenever they change (see {@link MapProgress}); `progressBar()` draws them. */
  readonly onProgress?: (progress: MapProgress) => void;
  /** Where the misses run. @default this process's shared worker-thread pool (one thread per core) */
  readonly executor?: Executor;
}

/** Counts of a map's entries; the queued ones are `total - done - running - failed`. */
export interface MapProgress {
  /** Entries in the map. */
  readonly total: number;
  /** Entries with a result (cached ones included). */
  readonly done: number;
  /** Entries served from the cache without running (a part of `done`). */
  readonly cached: number;
  /** Entries dispatched and not yet settled. */
  readonly running: number;
  /** Entries that rejected. */
  readonly failed: number;
}

/** How one entry of a map settled: its position in the input, and its result or error. */
export type MapOutcome<R> =
  | { readonly index: number; readonly status: "fulfilled"; readonly value: R }
  | { readonly index: number; readonly status: "rejected"; readonly reason: unknown };

/**
 * A running map. Await it for the results in input order (it rejects with the first failure, as
 * `Promise.all` does); iterate it (`for await`) for each outcome as it settles; or take one entry's
 * promise from `entries`. A failure rejects its own entry only: the others still run and settle. No
 * promise of a map ever reports an unhandled rejection.
 */
export interface MapRun<R> extends PromiseLike<R[]>, AsyncIterable<MapOutcome<R>> {
  /** One promise per entry, in input order. */
  readonly entries: readonly Promise<R>[];
}
