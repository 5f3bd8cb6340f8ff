/**
 * `Refreshing`: a view that always misses but saves into the cache it wraps. `.rerun(...)` makes it the
 * active cache, so the function and every cached function it calls run again and overwrite their entries.
 */
import { CacheMiss } from "../errors.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { queryOver } from "../cache.js";
import type { Call } from "../call.js";
import type { CallRecord, Metadata } from "../call-record.js";
import type { LazyCall } from "../lazy-call.js";
import type { PreparedCall } from "../prepared-call.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";

/** A view of `inner` on which every lookup misses. */
export class Refreshing implements CacheLike {
  constructor(readonly inner: CacheLike) {}

  lookup(_key: string): typeof MISS {
    return MISS;
  }
  async prepare(call: Call): Promise<PreparedCall> {
    return (await this.inner.prepare(call)).reown(this);
  }
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    return this.inner.commit(prepared, result, metadata);
  }
  save(call: Call, result: unknown, metadata?: Metadata): Promise<string> {
    return this.inner.save(call, result, metadata);
  }
  async load(key: string): Promise<LazyCall> {
    throw new CacheMiss(key, `Refreshing: ${key} is treated as a miss while re-running`);
  }
  async loadRecord(): Promise<CallRecord | undefined> {
    return undefined;
  }
  loadValue(key: string): Promise<unknown> {
    return this.inner.loadValue(key);
  }
  async contains(): Promise<boolean> {
    return false;
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
    return queryOver(this.inner, filter);
  }
  toConfig(): CacheConfig {
    return this.inner.toConfig();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
