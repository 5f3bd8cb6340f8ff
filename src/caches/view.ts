/**
 * `CacheView`: what the views over one cache share (read-only, filtered, refreshing, size-limited).
 * Every operation goes to `inner` unless the view overrides it, so each view states only its policy.
 * Calls prepared through a view commit through the view, and calls loaded through it load their values
 * through it, so the policy holds all the way.
 */
import { CacheMiss } from "../errors.js";
import { LazyCall } from "../lazy-call.js";
import { queryOver } from "../query/query-over.js";
import { transferCalls, type TransferOptions, type TransferReport } from "../query/transfer.js";
import { refuse } from "./read-only-mark.js";
import type { MaybePromise } from "../maybe.js";
import type { CacheConfig, CacheLike, CallPredicate } from "../cache-like.js";
import type { GcOptions, GcReport } from "./gc.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { Call } from "../call.js";
import type { CallRecord, Metadata } from "../call-record.js";
import type { PreparedCall } from "../prepared-call.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";

/** A cache that forwards to the cache it wraps. */
export abstract class CacheView implements CacheLike {
  constructor(readonly inner: CacheLike) {}

  lookup(key: string): MaybePromise<unknown> {
    return this.inner.lookup(key);
  }
  async prepare(call: Call): Promise<PreparedCall> {
    return (await this.inner.prepare(call)).reown(this);
  }
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    return this.inner.commit(prepared, result, metadata);
  }
  /** One-shot saves go through this view's prepare and commit, so its policy applies to them too. */
  async save(call: Call, result: unknown, metadata?: Metadata): Promise<string> {
    return (await this.prepare(call)).commit(result, metadata);
  }
  async load(key: string): Promise<LazyCall> {
    return new LazyCall((await this.inner.load(key)).record, this);
  }
  loadRecord(key: string): Promise<CallRecord | undefined> {
    return this.inner.loadRecord(key);
  }
  loadValue(key: string): Promise<unknown> {
    return this.inner.loadValue(key);
  }
  contains(key: string): Promise<boolean> {
    return this.inner.contains(key);
  }
  /** `contains` for views that hide some calls: a call is there when this view's `load` finds it. */
  protected async loadable(key: string): Promise<boolean> {
    try {
      await this.load(key);
      return true;
    } catch (error) {
      if (error instanceof CacheMiss) return false;
      throw error;
    }
  }
  evict(key: string): Promise<void> {
    return this.inner.evict(key);
  }
  expand(prefix: string): Promise<string> {
    return this.inner.expand(prefix);
  }
  shrink(key: string): Promise<string> {
    return this.inner.shrink(key);
  }
  shrinkAll(keys: readonly string[]): Promise<string[]> {
    return this.inner.shrinkAll(keys);
  }
  records(template: RecordTemplate): AsyncIterable<CallRecord> {
    return this.inner.records(template);
  }
  query(filter: QueryFilter = {}): Query {
    return queryOver(this, filter);
  }
  /** A read-only view of this view (each view builds it: the view classes are defined above this file). */
  abstract readOnly(): CacheLike;
  /** A live, read-only view of the calls of this view that match. */
  abstract filter(where: CallPredicate | QueryFilter): CacheLike;
  /** Copy every call of this view into `target`. */
  transfer(target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
    return transferCalls(this.query(), target, options);
  }
  /** Refused unless the view says otherwise: most views only read (size-limited and refreshing ones forward). */
  gc(_options?: GcOptions): Promise<GcReport> {
    return refuse("gc", this);
  }
  /** Refused unless the view says otherwise. */
  redigest(_options?: RedigestOptions): Promise<RedigestReport> {
    return refuse("redigest", this);
  }
  toConfig(): CacheConfig {
    return this.inner.toConfig();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
