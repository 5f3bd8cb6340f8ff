/**
 * The shape of a wrapped function: what `fleche(fn)` returns (`Fleched`), the helpers it carries
 * (`FlecheHelpers`) and what they accept. Types only (plus the accepted `f.query` keys), apart from the
 * wrapper itself in `fleche.ts`, so that code that only names these types never loads the wrapper.
 */
import { keysOf } from "./known-keys.js";
import type { Digest } from "./digest/index.js";
import type { Call } from "./call.js";
import type { Query } from "./query/query.js";
import type { MetadataFilter } from "./query/template.js";
import type { Version } from "./call-record.js";
import type { Explanation } from "./explain/report.js";
import type { MapOptions, MapRun } from "./parallel/map-types.js";

/** Any function: what `fleche()` wraps. */
// biome-ignore lint: any is the honest type of an arbitrary function's parameters here
export type AnyFunction = (...args: any[]) => any;

/** Parameters where each argument may also be a `D(...)` reference to a stored value. */
export type WithReferences<P extends readonly unknown[]> = { [K in keyof P]: P[K] | Digest };

/** What `f.query(...)` accepts: filters on this function's calls. */
export interface FunctionQuery {
  /** Argument values by parameter name (content match); leave a parameter out to match any value. */
  readonly args?: { readonly [name: string]: unknown };
  readonly metadata?: MetadataFilter;
  /** Defaults to the function's current version; pass `undefined` to match every version. */
  readonly version?: Version | undefined;
  readonly result?: unknown;
}

/** Every key `f.query(...)` accepts (name, module and code digest are the function's own). */
export const FUNCTION_QUERY_KEYS = keysOf<FunctionQuery>()(["args", "metadata", "version", "result"]);

/** The helpers every wrapped function carries (also under `.fleche`). */
export interface FlecheHelpers<F extends AnyFunction> {
  /** The lookup key this call would use. */
  digest(...args: WithReferences<Parameters<F>>): Promise<string>;
  /** The bound call (identity, arguments, digests, key) this call would store. */
  call(...args: WithReferences<Parameters<F>>): Promise<Call>;
  /** The stored result; throws `CacheMiss` when the call was never stored. The body never runs. */
  load(...args: WithReferences<Parameters<F>>): Promise<Awaited<ReturnType<F>>>;
  /** True when a record of this call is stored in the active cache. */
  contains(...args: WithReferences<Parameters<F>>): Promise<boolean>;
  /** Run again and overwrite the stored result; cached functions it calls run again too. */
  rerun(...args: WithReferences<Parameters<F>>): Promise<Awaited<ReturnType<F>>>;
  /** Stored calls of this function in the active cache. */
  query(filter?: FunctionQuery): Query;
  /**
   * Why this call hits or misses in the active cache: caching skipped, a stored record whose result is
   * gone, a view hiding it, no call of this name, or the nearest stored calls and what differs (module,
   * version, code, each argument with a preview of both values). The body never runs. See docs/wrapper.md.
   */
  explain(...args: WithReferences<Parameters<F>>): Promise<Explanation>;
  /**
   * A function that always uses the cache and metadata active now (for callbacks, timers and worker
   * hand-offs), with `args` applied first.
   */
  bind(...args: unknown[]): (...rest: unknown[]) => Promise<Awaited<ReturnType<F>>>;
  /**
   * Many calls at once: each argument list is looked up here (hits are served without running), and the
   * distinct misses run on `options.executor`, worker threads by default, committed to the active cache.
   * Await the result for the values in input order, or iterate it for outcomes as they settle. The
   * function must be exported from the module that defines it (docs/parallel.md).
   */
  map(argsList: Iterable<Readonly<WithReferences<Parameters<F>>>>, options?: MapOptions): MapRun<Awaited<ReturnType<F>>>;
  /** The unwrapped function, to bypass the cache. */
  readonly original: F;
}

/** A wrapped function: same parameters, always returns a promise, plus the helpers. */
export interface Fleched<F extends AnyFunction> extends FlecheHelpers<F> {
  (this: ThisParameterType<F>, ...args: WithReferences<Parameters<F>>): Promise<Awaited<ReturnType<F>>>;
  /** The helpers again, in a namespace of their own (no clash with the function's own properties). */
  readonly fleche: FlecheHelpers<F>;
}
