/**
 * What the parallel machinery needs from a wrapped function beyond its public helpers: its identity, the
 * file that defined it, and the wrapper's own steps (key a call, look it up, run a miss with another
 * body). The wrapper registers them here when it is made; nothing here imports the wrapper, so the map,
 * the task runner and the wrapper depend on this file and not on each other.
 */
import type { MaybePromise } from "../maybe.js";
import type { CacheLike } from "../cache-like.js";
import type { Call } from "../call.js";


/** The wrapper's steps and facts, as the parallel machinery uses them. */
export interface WrappedInternals {
  /** The identity name (what keys its calls). */
  readonly name: string;
  /** The identity module. */
  readonly module: string | null;
  /** The file whose code called `fleche()`, read from the stack at wrap time; undefined when unknown. */
  readonly file: string | undefined;
  /** The unwrapped body. */
  readonly original: (...args: readonly unknown[]) => unknown;
  /**
   * Top-level `D()` arguments expanded to full digests in `cache` (references in rest positions are
   * loaded, as a direct call does); the same array when there is none.
   */
  expand(cache: CacheLike, args: readonly unknown[]): MaybePromise<readonly unknown[]>;
  /** The bound, keyed call of expanded `args`; throws `Indigestible` or a `FLECHE_REQUIRED` error. */
  call(args: readonly unknown[]): Call;
  /** The stored result of `call` in `cache` through the wrapper's own lookup (`maxAge`), or `MISS`. */
  lookup(cache: CacheLike, call: Call): MaybePromise<unknown>;
  /** The wrapper's whole path for a keyed call (flight, lookup, then the miss path), with `this` undefined. */
  invoke(cache: CacheLike, call: Call, args: readonly unknown[]): Promise<unknown>;
  /**
   * The wrapper's miss path for `call` in this thread (flight, leases, metadata, commit), with `body`
   * run in place of the function's own body on the loaded arguments.
   */
  runWith(cache: CacheLike, call: Call, args: readonly unknown[], body: (bodyArgs: readonly unknown[]) => Promise<unknown>): Promise<unknown>;
}

const registry = new WeakMap<Function, WrappedInternals>();

/** Register what `wrapped` offers the parallel machinery (the wrapper does, once per wrapped function). */
export function registerInternals(wrapped: Function, internals: WrappedInternals): void {
  registry.set(wrapped, internals);
}

/** The internals of a wrapped function, or undefined for any other value. */
export function internalsOf(value: unknown): WrappedInternals | undefined {
  return typeof value === "function" ? registry.get(value) : undefined;
}
