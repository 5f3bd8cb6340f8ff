/**
 * `Refreshing`: a view that always misses but saves into the cache it wraps. `.rerun(...)` makes it the
 * active cache, so the function and every cached function it calls run again and overwrite their entries.
 */
import { CacheMiss } from "../errors.js";
import { MISS } from "../cache-like.js";
import { queryOver } from "../query/query-over.js";
import { CacheView } from "./view.js";
import { ReadOnly } from "./read-only.js";
import { Filtered } from "./filtered.js";
import type { CallPredicate } from "../cache-like.js";
import type { GcOptions, GcReport } from "./gc.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { CallRecord } from "../call-record.js";
import type { LazyCall } from "../lazy-call.js";
import type { Query } from "../query/query.js";
import type { QueryFilter } from "../query/template.js";

/** A view of `inner` on which every lookup misses. */
export class Refreshing extends CacheView {
  override lookup(_key: string): typeof MISS {
    return MISS;
  }
  override async load(key: string): Promise<LazyCall> {
    throw new CacheMiss(key, `Refreshing: ${key} is treated as a miss while re-running`);
  }
  override async loadRecord(): Promise<CallRecord | undefined> {
    return undefined;
  }
  override async contains(): Promise<boolean> {
    return false;
  }
  /** A read-only view of this one. */
  readOnly(): ReadOnly {
    return new ReadOnly(this);
  }
  /** A live, read-only view of the calls that match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** Collects the cache it refreshes. */
  override gc(options?: GcOptions): Promise<GcReport> {
    return this.inner.gc(options);
  }
  /** Re-keys the cache it refreshes. */
  override redigest(options?: RedigestOptions): Promise<RedigestReport> {
    return this.inner.redigest(options);
  }
  /** Queries see what is stored: only lookups are refreshed. */
  override query(filter: QueryFilter = {}): Query {
    return queryOver(this.inner, filter);
  }
}
