/**
 * What crosses from the side that submits a map to the side that runs its misses (a worker thread, a
 * queue worker on another machine): one missed call, described so the other side can rebuild it.
 * Functions travel by reference (module URL and export name), never as code.
 */
import type { CacheConfig } from "../cache-like.js";
import type { JsonValue } from "../call-record.js";

/** A wrapped function by reference: where to import it from and what it is called. */
export interface FunctionReference {
  /** `file:` URL of the module exporting it, on the submitting machine. */
  readonly url: string;
  /** The export under which that module exports the wrapped function. */
  readonly exportName: string;
  /** The wrapped function's identity name (what keys its calls). */
  readonly name: string;
  /** Its identity module (null when it has none). */
  readonly module: string | null;
}

/** One missed call sent elsewhere. JSON-safe except `args` (structured-clone / v8 serializable). */
export interface CallTask {
  /** The wrapped function to call. */
  readonly fn: FunctionReference;
  /**
   * The positional arguments, top-level `D()` references expanded to full 64-hex digests and encoded by
   * `encodeTaskArgs` (a `Digest` does not survive structured cloning). When `cache` is null they are the
   * values the body receives (references already loaded by the submitting side).
   */
  readonly args: readonly unknown[];
  /** The submitter's call key; the runner checks that its own key for `args` matches. */
  readonly key: string;
  /** The active cache's `toConfig()`; null when it cannot travel (memory stores): the body runs uncached. */
  readonly cache: CacheConfig | null;
  /**
   * The active metadata providers, described (`describeMetadata`); opaque to executors. Empty when
   * `cache` is null: the submitting side records the metadata where it files the result.
   */
  readonly meta: JsonValue;
}
