/**
 * `CachePool`: several caches read as one, written never. A call is served by the first member that
 * has it; nothing is copied between members (no back-fill) and saves and evictions are rejected.
 * Typical: reading your colleagues' caches next to your own (put the pool under a stack whose first
 * layer is yours, and your new results land there).
 */
import { CacheMiss, ConfigError, Rejected } from "../errors.js";
import { isPromise, type MaybePromise } from "../maybe.js";
import { LazyCall } from "../lazy-call.js";
import { PreparedCall } from "../prepared-call.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { queryOver } from "../query/query-over.js";
import { anyContains, closeAll, expandAcross, firstRecord, firstValue, shrinkAcross, unionRecords } from "./members.js";
import { Filtered, type CallPredicate } from "./filtered.js";
import { READ_ONLY, refuse } from "./read-only-mark.js";
import { transferCalls, type TransferOptions, type TransferReport } from "../query/transfer.js";
import type { Call } from "../call.js";
import type { CallRecord } from "../call-record.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";

/** A read-only union of caches; member order only decides which copy of a duplicated call is served. */
export class CachePool implements CacheLike {
  readonly [READ_ONLY] = true;
  readonly members: readonly CacheLike[];

  /**
   * A read-only pool of `members`.
   * @throws ConfigError when `members` is not an array of caches.
   */
  constructor(members: readonly CacheLike[]) {
    if (!Array.isArray(members)) throw new ConfigError("CachePool: give an array of caches");
    members.forEach((m, i) => {
      if (typeof m?.lookup !== "function") throw new ConfigError(`CachePool: member ${i} is not a cache`);
    });
    this.members = Object.freeze([...members]);
  }

  lookup(key: string): MaybePromise<unknown> {
    return this.#lookupFrom(0, key);
  }

  #lookupFrom(start: number, key: string): MaybePromise<unknown> {
    for (let i = start; i < this.members.length; i++) {
      const hit = this.members[i]!.lookup(key);
      if (isPromise(hit)) return hit.then((h) => (h === MISS ? this.#lookupFrom(i + 1, key) : h));
      if (hit !== MISS) return hit;
    }
    return MISS;
  }

  /** Digest-only admission: a pool stores nothing. */
  async prepare(call: Call): Promise<PreparedCall> {
    return new PreparedCall(call, this);
  }
  async commit(prepared: PreparedCall): Promise<string> {
    throw new Rejected(`cache pool: not saving ${prepared.call.name} (${prepared.key}); pools are read-only`);
  }
  async save(call: Call): Promise<string> {
    throw new Rejected(`cache pool: not saving ${call.name} (${call.key}); pools are read-only`);
  }
  async load(key: string): Promise<LazyCall> {
    const full = await this.expand(key);
    const found = await firstRecord(this.members, full);
    if (!found) throw new CacheMiss(key, `No call ${key} in any member of this pool`);
    return new LazyCall(found.record, this);
  }
  async loadRecord(key: string): Promise<CallRecord | undefined> {
    return (await firstRecord(this.members, key))?.record;
  }
  loadValue(key: string): Promise<unknown> {
    return firstValue(this.members, key);
  }
  contains(key: string): Promise<boolean> {
    return anyContains(this.members, key);
  }
  async evict(key: string): Promise<void> {
    throw new Rejected(`cache pool: not evicting ${key}; pools are read-only`);
  }
  expand(prefix: string): Promise<string> {
    return expandAcross(this.members, prefix);
  }
  async shrink(key: string): Promise<string> {
    return (await shrinkAcross(this.members, [key]))[0]!;
  }
  shrinkAll(keys: readonly string[]): Promise<string[]> {
    return shrinkAcross(this.members, keys);
  }
  records(template: RecordTemplate): AsyncIterable<CallRecord> {
    return unionRecords(this.members, template);
  }
  query(filter: QueryFilter = {}): Query {
    return queryOver(this, filter);
  }
  /** Already read-only. */
  readOnly(): CachePool {
    return this;
  }
  /** Refused: a pool only reads its members (collect each member instead). */
  gc(): Promise<never> {
    return refuse("gc", this);
  }
  /** Refused: a pool only reads its members (re-key each member instead). */
  redigest(): Promise<never> {
    return refuse("redigest", this);
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
    return { pool: this.members.map((m) => m.toConfig()) };
  }
  close(): Promise<void> {
    return closeAll(this.members);
  }
}
