/**
 * `ReadOnly`: a view that reads through to a cache and never writes to it. Under a read-only cache a
 * wrapped function still returns its result; the save is rejected and the wrapper warns once per call.
 * Use it to share a team's cache without letting anyone's experiments into it.
 */
import { Rejected } from "../errors.js";
import { PreparedCall } from "../prepared-call.js";
import { queryOver } from "../cache.js";
import { withModifiers } from "../config/modifiers.js";
import { LazyCall } from "../lazy-call.js";
import { Filtered, type CallPredicate } from "./filtered.js";
import { transferCalls, type TransferOptions, type TransferReport } from "../query/transfer.js";
import type { MaybePromise } from "../maybe.js";
import type { CacheConfig, CacheLike } from "../cache-like.js";
import type { Call } from "../call.js";
import type { CallRecord } from "../call-record.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";

/** A read-only view of `inner`. */
export class ReadOnly implements CacheLike {
  /** Marks read-only caches for tools that check (`isReadOnly`). */
  readonly readOnly = true;

  constructor(readonly inner: CacheLike) {}

  lookup(key: string): MaybePromise<unknown> {
    return this.inner.lookup(key);
  }
  /** Digest-only admission: nothing is stored, since the commit will be refused. */
  async prepare(call: Call): Promise<PreparedCall> {
    return new PreparedCall(call, this);
  }
  async commit(prepared: PreparedCall): Promise<string> {
    throw new Rejected(`read-only cache: not saving ${prepared.call.name} (${prepared.key})`);
  }
  async save(call: Call): Promise<string> {
    throw new Rejected(`read-only cache: not saving ${call.name} (${call.key})`);
  }
  async load(key: string): Promise<LazyCall> {
    return new LazyCall((await this.inner.load(key)).record, this); // its values load through the view
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
  async evict(key: string): Promise<void> {
    throw new Rejected(`read-only cache: not evicting ${key}`);
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
  /** A live, read-only view of the calls that match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** Copy every call into `target` (see `transfer`). */
  transfer(target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
    return transferCalls(this.query(), target, options);
  }
  toConfig(): CacheConfig {
    return withModifiers(this.inner.toConfig(), { read_only: true }, "ReadOnly");
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** True for caches that refuse every write (read-only views, filtered views, pools). */
export function isReadOnly(cache: CacheLike): boolean {
  return (cache as { readOnly?: unknown }).readOnly === true;
}
