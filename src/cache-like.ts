/**
 * What the wrapper, queries and composed caches (stacks, pools, read-only and refreshing views) need from
 * a cache. `Cache` implements it over a value store and a call store; views implement it by delegating.
 */
import type { MaybePromise } from "./maybe.js";
import type { Call } from "./call.js";
import type { CallRecord, Metadata } from "./call-record.js";
import type { LazyCall } from "./lazy-call.js";
import type { PreparedCall } from "./prepared-call.js";
import type { Query } from "./query/query.js";
import type { QueryFilter, RecordTemplate } from "./query/template.js";

/** Returned by {@link CacheLike.lookup} on a miss (results are never `undefined`, but be explicit). */
export const MISS: unique symbol = Symbol("fleche.miss");

/** A cache's configuration: a `Cache` table, or a shape of composed caches (see docs/configuration.md). */
export type CacheConfig = { readonly [key: string]: unknown } | readonly CacheConfig[];

/** The cache contract. */
export interface CacheLike {
  /** The hot path: the stored result of `key`, or {@link MISS}. Synchronous when the stores are. */
  lookup(key: string): MaybePromise<unknown>;
  /**
   * Two-phase save, phase one: store the arguments and seal the key before the body runs. The returned
   * call commits through the cache that prepared it (wrappers re-own it to impose their policy).
   */
  prepare(call: Call): Promise<PreparedCall>;
  /** Two-phase save, phase two: store the result and file the record. Throws `Rejected` when refused. */
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string>;
  /** One-shot save of a complete call (transfer, back-fill, redigest). */
  save(call: Call, result: unknown, metadata?: Metadata): Promise<string>;
  /** The stored call under `key` (full or prefix), with values loaded lazily. Throws `CacheMiss`. */
  load(key: string): Promise<LazyCall>;
  /** The stored record under a full key, or undefined. */
  loadRecord(key: string): Promise<CallRecord | undefined>;
  /** A stored value by digest (full or prefix). Throws `CacheMiss`. */
  loadValue(key: string): Promise<unknown>;
  /** True when a call record is stored under `key` (full or prefix). Values are not checked. */
  contains(key: string): Promise<boolean>;
  /** Remove the call record (values stay until garbage collection). Absent keys are a no-op. */
  evict(key: string): Promise<void>;
  /** The full key a prefix names, among calls and values. */
  expand(prefix: string): Promise<string>;
  /** The shortest unambiguous prefix of a stored key. */
  shrink(key: string): Promise<string>;
  /** Shortest unambiguous prefixes of several keys (one listing for all). */
  shrinkAll(keys: readonly string[]): Promise<string[]>;
  /** Stored records matching a digested template (push-down where the call store supports it). */
  records(template: RecordTemplate): AsyncIterable<CallRecord>;
  /**
   * Optional: the matching record that finished last (`"latest"`) or first, by `runtime.timestop`, or
   * undefined when no matching record is dated. Queries use it for `latest()`/`oldest()` instead of a scan.
   */
  latestRecord?(template: RecordTemplate, which: "latest" | "oldest"): Promise<CallRecord | undefined>;
  /** A re-iterable query over the stored calls. */
  query(filter?: QueryFilter): Query;
  /** The config that rebuilds this cache with `Cache.fromConfig`. */
  toConfig(): CacheConfig;
  /** Release store handles. */
  close(): Promise<void>;
}
