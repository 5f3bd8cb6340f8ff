/**
 * `Refreshing`: a view that always misses but saves into the cache it wraps. `.rerun(...)` makes it the
 * active cache, so the function and every cached function it calls run again and overwrite their entries.
 */
import { CacheMiss } from "../errors.js";
import { MISS } from "../cache-like.js";
import { queryOver } from "../query/query-over.js";
import { WritableView } from "./writable-view.js";
import type { CallRecord } from "../call-record.js";
import type { LazyCall } from "../lazy-call.js";
import type { Query } from "../query/query.js";
import type { QueryFilter } from "../query/template.js";

/**
 * A view of `inner` on which every lookup misses. It takes no lease: `rerun` is a request to run the
 * body again, here and now, even while another process computes the same call (whose callers are
 * served the stored result until the new record replaces it).
 */
export class Refreshing extends WritableView {
  /** None: a rerun always runs the body. */
  override leasing(): undefined {
    return undefined;
  }
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
  /** Queries see what is stored: only lookups are refreshed. */
  override query(filter: QueryFilter = {}): Query {
    return queryOver(this.inner, filter);
  }
}
