/**
 * The record-level core of the cache contract: look results up, save calls, read and remove records and
 * values, resolve key prefixes. It is what stored calls (`LazyCall`), queries and transfers need from
 * the cache they came from, and it knows nothing of them: the members that hand out `LazyCall`s,
 * `PreparedCall`s and `Query`s are in {@link CacheLike}, one floor up, so those modules can depend on
 * this one without a cycle.
 */
import type { MaybePromise } from "./maybe.js";
import type { Call } from "./call.js";
import type { CallRecord, Metadata } from "./call-record.js";
import type { RecordTemplate } from "./query/template.js";
import type { ValueStore } from "./stores/types.js";
import type { Leasing } from "./leases/leasing.js";

/** Returned by {@link CacheCore.lookup} on a miss (results are never `undefined`, but be explicit). */
export const MISS: unique symbol = Symbol("fleche.miss");

/** A cache's configuration: a `Cache` table, or a shape of composed caches (see docs/configuration.md). */
export type CacheConfig = { readonly [key: string]: unknown } | readonly CacheConfig[];

/** Record- and value-level operations of a cache (every {@link fleche!CacheLike} has them). */
export interface CacheCore {
  /** The hot path: the stored result of `key`, or {@link MISS}. Synchronous when the stores are. */
  lookup(key: string): MaybePromise<unknown>;
  /** One-shot save of a complete call (transfer, back-fill, redigest). */
  save(call: Call, result: unknown, metadata?: Metadata): Promise<string>;
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
  /**
   * Optional: the value store whose entries a transfer may copy as their stored bytes (one with
   * `rawEntries` and `childDigests`), or undefined. Only a cache that stores values itself, with no
   * policy between it and its store, offers it; transfers from or into other caches decode and re-save.
   */
  rawValues?(): ValueStore | undefined;
  /**
   * Optional, with {@link CacheCore.rawValues}: file `record` as it is, every value it refers to being
   * stored already (copied as bytes by a transfer); the values are touched first, as a commit does.
   */
  fileRecord?(record: CallRecord): Promise<void>;
  /**
   * Optional: the leases a miss takes on its call key so that one process computes the call while the
   * others wait for its record (docs/leases.md), with the cache's lease settings; undefined (or absent)
   * when the cache takes none: memory caches, pools, read-only and filtered views, `lease = false`.
   */
  leasing?(): Leasing | undefined;
  /** The config that rebuilds this cache with `cacheFromConfig`. */
  toConfig(): CacheConfig;
  /** Release store handles. */
  close(): Promise<void>;
}
