/**
 * What the wrapper, the CLI and composed caches (stacks, pools, read-only and refreshing views) need from
 * a cache: the record-level {@link CacheCore}, plus the members that hand out stored calls, prepared
 * calls and queries. `Cache` implements it over a value store and a call store; views implement it by
 * delegating. `LazyCall`, `PreparedCall` and `Query` depend on the core only, so this file may import
 * them without a cycle.
 */
import type { Call } from "./call.js";
import type { Metadata } from "./call-record.js";
import type { CacheCore } from "./cache-core.js";
import type { LazyCall } from "./lazy-call.js";
import type { PreparedCall } from "./prepared-call.js";
import type { Query } from "./query/query.js";
import type { QueryFilter } from "./query/template.js";
import type { TransferOptions, TransferReport } from "./query/transfer.js";
import type { GcOptions, GcReport } from "./caches/gc.js";
import type { RedigestOptions, RedigestReport } from "./caches/redigest.js";

export { MISS, type CacheConfig, type CacheCore } from "./cache-core.js";

/** A test of a stored call, for `filter()`: a predicate over the call, or a query filter. */
export type CallPredicate = (call: LazyCall) => boolean | Promise<boolean>;

/** The cache contract. */
export interface CacheLike extends CacheCore {
  /**
   * Two-phase save, phase one: store the arguments and seal the key before the body runs. The returned
   * call commits through the cache that prepared it (wrappers re-own it to impose their policy).
   */
  prepare(call: Call): Promise<PreparedCall>;
  /** Two-phase save, phase two: store the result and file the record. Throws `Rejected` when refused. */
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string>;
  /** The stored call under `key` (full or prefix), with values loaded lazily. Throws `CacheMiss`. */
  load(key: string): Promise<LazyCall>;
  /** A re-iterable query over the stored calls. */
  query(filter?: QueryFilter): Query;
  /** A read-only view of this cache (a cache that is read-only already returns itself). */
  readOnly(): CacheLike;
  /** A live, read-only view of the calls that match `where`. */
  filter(where: CallPredicate | QueryFilter): CacheLike;
  /** Copy every call into `target` (`pop` moves them); `query().transfer()` copies a selection. */
  transfer(target: CacheLike, options?: TransferOptions): Promise<TransferReport>;
  /** Remove the values no call record refers to (docs/gc.md). Rejects on read-only caches. */
  gc(options?: GcOptions): Promise<GcReport>;
  /** Re-key the records after a digest change. Rejects on read-only caches. */
  redigest(options?: RedigestOptions): Promise<RedigestReport>;
}
