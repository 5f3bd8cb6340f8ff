/**
 * `Cache`: a value store and a call store working as one. Values hold every argument and result by
 * digest; calls hold one small record per call. Either store can be any kind: memory, files, HDF5, SQL.
 */
import { CacheMiss, ConfigError } from "./errors.js";
import { isPromise, type MaybePromise } from "./maybe.js";
import { logger } from "./log.js";
import { LazyCall } from "./lazy-call.js";
import { PreparedCall } from "./prepared-call.js";
import { queryOver } from "./query/query-over.js";
import type { Query } from "./query/query.js";
import { scanExtreme, timestopOf } from "./query/extremes.js";
import { matchesRecord, type QueryFilter, type RecordTemplate } from "./query/template.js";
import { allKeys } from "./stores/keys.js";
import { isCallStore, isValueStore, type CallStore, type ResultRef, type ValueStore } from "./stores/types.js";
import { MISS, type CacheConfig, type CacheLike } from "./cache-like.js";
import type { Call } from "./call.js";
import { inlineValueOf, type CallRecord, type Metadata } from "./call-record.js";
import { InFlight } from "./caches/in-flight.js";
import { ReadOnly } from "./caches/read-only.js";
import { Filtered, type CallPredicate } from "./caches/filtered.js";
import { CacheStack } from "./caches/stack.js";
import { keysOf, rejectUnknownKeys } from "./known-keys.js";
import { collectGarbage, type GcOptions, type GcReport } from "./caches/gc.js";
import { redigestCache, type RedigestOptions, type RedigestReport } from "./caches/redigest.js";
import { transferCalls, type TransferOptions, type TransferReport } from "./query/transfer.js";
import { leasesOf } from "./stores/leases.js";
import { checkLeaseSetting, type LeaseOptions, type LeaseSetting } from "./leases/settings.js";
import type { Leasing } from "./leases/leasing.js";
import { CallFiling } from "./call-filing.js";
import { callKeyOf, expandKey, shrinkKeys, sortedCallKeys, sortedValueKeys, valueKeyOf } from "./keyspaces.js";

/** The two stores of a {@link Cache}. */
export interface CacheOptions {
  /** Where argument and result values go. */
  readonly values: ValueStore;
  /** Where call records go. */
  readonly calls: CallStore;
  /**
   * Keep small values (short strings, finite numbers, booleans, null) inside call records instead of
   * the value store: a small call then costs one record write and one record read.
   * @default true
   */
  readonly inline?: boolean;
  /**
   * Leases on call keys, when the call store offers them (FileStore): on a miss one process
   * computes the call and the others wait for its record (docs/leases.md). `{ ttl, wait }` in seconds,
   * `true` for the defaults, `false` to take none. A function's own `lease` option wins over this one.
   * @default true
   */
  readonly lease?: LeaseSetting;
}

/** Every option of {@link CacheOptions}; `new Cache()` rejects any other key. */
export const CACHE_OPTION_KEYS = keysOf<CacheOptions>()(["values", "calls", "inline", "lease"]);

/** A cache made of a value store and a call store. */
export class Cache implements CacheLike {
  readonly values: ValueStore;
  readonly calls: CallStore;
  readonly inline: boolean;
  /** The lease options (`false`: this cache takes no leases). */
  readonly lease: LeaseOptions | false;
  readonly #leasing: Leasing | undefined;
  readonly #inFlight = new InFlight();
  /** What is written to the value store around each call, before its record is filed. */
  readonly #filing: CallFiling;

  /**
   * A cache over a value store and a call store (one object may play both roles).
   * @throws ConfigError for an unknown option or when `values` or `calls` does not implement its role.
   */
  constructor(options: CacheOptions) {
    rejectUnknownKeys("new Cache(...)", options, CACHE_OPTION_KEYS);
    const { values, calls, inline = true, lease } = options ?? ({} as CacheOptions);
    if (!isValueStore(values)) {
      throw new ConfigError(`new Cache(...): \`values\` must be a value store, got ${describe(values)}`);
    }
    if (!isCallStore(calls)) throw new ConfigError(`new Cache(...): \`calls\` must be a call store, got ${describe(calls)}`);
    this.values = values;
    this.calls = calls;
    this.inline = inline;
    this.#filing = new CallFiling(values, inline, this.#inFlight);
    this.lease = checkLeaseSetting(lease, "new Cache(...): `lease`");
    const leases = this.lease === false ? undefined : leasesOf(calls);
    this.#leasing = leases && this.lease !== false ? { leases, options: this.lease } : undefined;
  }

  /** The call store's leases with this cache's settings; none when the store has none or `lease` is false. */
  leasing(): Leasing | undefined {
    return this.#leasing;
  }

  lookup(key: string): MaybePromise<unknown> {
    const record = this.calls.loadResult ? this.calls.loadResult(key) : this.calls.loadCall(key);
    return isPromise(record) ? record.then((r) => this.#resultOf(r)) : this.#resultOf(record);
  }

  #resultOf(record: ResultRef | undefined): MaybePromise<unknown> {
    if (record === undefined || record.result === null) return MISS;
    const inline = inlineValueOf(record, record.result);
    if (inline !== undefined) return inline;
    try {
      const value = this.values.loadValue(record.result);
      return isPromise(value) ? value.catch(missOnCacheMiss) : value;
    } catch (error) {
      return missOnCacheMiss(error); // e.g. the result was garbage-collected: recompute
    }
  }

  async prepare(call: Call): Promise<PreparedCall> {
    // Protect the arguments from garbage collection before writing them, until the call settles.
    const release = this.#inFlight.add(call.key, call.digests);
    try {
      await this.#filing.storeArguments(call);
    } catch (error) {
      release();
      throw error;
    }
    return new PreparedCall(call, this, release);
  }

  async commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    const { call } = prepared;
    const stored = await this.#filing.storeResult(call, result);
    await this.#filing.refreshArguments(call);
    await this.calls.saveCall(call.record(stored.digest, metadata, stored.inline));
    return prepared.key;
  }

  /** The value store, when a transfer may copy its entries as bytes (it has `rawEntries` and `childDigests`). */
  rawValues(): ValueStore | undefined {
    return this.values.rawEntries && this.values.childDigests ? this.values : undefined;
  }

  /**
   * File `record` as it is: a transfer copied its values as bytes. They are touched first, as a commit
   * touches its arguments (docs/gc.md), and one gone meanwhile refuses the record.
   */
  async fileRecord(record: CallRecord): Promise<void> {
    await this.#filing.refreshValuesOf(record);
    await this.calls.saveCall(record);
  }

  async save(call: Call, result: unknown, metadata: Metadata = {}): Promise<string> {
    return (await this.prepare(call)).commit(result, metadata);
  }

  async load(key: string): Promise<LazyCall> {
    const full = await callKeyOf(this, key);
    const record = await this.calls.loadCall(full);
    if (!record) throw new CacheMiss(key, `No call ${key} in this cache`);
    return new LazyCall(record, this);
  }

  async loadRecord(key: string): Promise<CallRecord | undefined> {
    return this.calls.loadCall(key);
  }

  async loadValue(key: string): Promise<unknown> {
    return this.values.loadValue(await valueKeyOf(this, key));
  }

  async contains(key: string): Promise<boolean> {
    try {
      return await this.calls.containsCall(await callKeyOf(this, key));
    } catch (error) {
      if (error instanceof CacheMiss) return false;
      throw error;
    }
  }

  async evict(key: string): Promise<void> {
    let full: string;
    try {
      full = await callKeyOf(this, key);
    } catch (error) {
      if (error instanceof CacheMiss) return;
      throw error;
    }
    await this.calls.evictCall(full);
  }

  expand(prefix: string): Promise<string> {
    return expandKey(this, prefix);
  }

  async shrink(key: string): Promise<string> {
    return (await this.shrinkAll([key]))[0]!;
  }

  /** Call keys shrink against the call keyspace, value keys against the value keyspace. */
  shrinkAll(keys: readonly string[]): Promise<string[]> {
    return shrinkKeys(this, keys);
  }

  /** Every stored call key, sorted. */
  callKeys(): Promise<string[]> {
    return sortedCallKeys(this);
  }

  /** Every stored value key, sorted. */
  valueKeys(): Promise<string[]> {
    return sortedValueKeys(this);
  }

  async *records(template: RecordTemplate): AsyncGenerator<CallRecord> {
    if (this.calls.queryCalls) {
      yield* this.calls.queryCalls(template);
      return;
    }
    for (const key of await allKeys(() => this.calls.listCalls())) {
      let record: CallRecord | undefined;
      try {
        record = await this.calls.loadCall(key);
      } catch (error) {
        logger().error(`Skipping call ${key}: it cannot be loaded (${(error as Error).message}). Indicates corrupt cache.`);
        continue;
      }
      if (record && matchesRecord(template, record)) yield record;
    }
  }

  /** `latest()`/`oldest()` by the call store's index when it has one, else by scanning the matches. */
  async latestRecord(template: RecordTemplate, which: "latest" | "oldest"): Promise<CallRecord | undefined> {
    if (this.calls.latestCall) return this.calls.latestCall(template, which);
    return (await scanExtreme(this.records(template), timestopOf, which)).best;
  }

  query(filter: QueryFilter = {}): Query {
    return queryOver(this, filter);
  }

  toConfig(): CacheConfig {
    const config = { values: this.values.toConfig(), calls: this.calls.toConfig() };
    return {
      ...config,
      ...(this.inline ? {} : { inline: false }),
      ...(this.lease === false ? { lease: false } : Object.keys(this.lease).length ? { lease: { ...this.lease } } : {}),
    };
  }

  /** A read-only view of this cache: results are served, saves and evictions are rejected. */
  readOnly(): ReadOnly {
    return new ReadOnly(this);
  }

  /** A live, read-only view of the calls that match a predicate or a query filter. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }

  /** A stack with `layer` in front of this cache: `layer` takes the writes, this cache back-fills it. */
  push(layer: CacheLike): CacheStack {
    return new CacheStack(layer instanceof CacheStack ? [...layer.layers, this] : [layer, this]);
  }

  /** Copy every call into `target` (`pop` moves them; `overwrite` replaces calls the target has). */
  transfer(target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
    return transferCalls(this.query(), target, options);
  }

  /** Remove the values no call record refers to; values of calls being computed are spared (see `caches/gc.ts`). */
  gc(options?: GcOptions): Promise<GcReport> {
    return collectGarbage(this.values, this.calls, this.#inFlight, options);
  }

  /** Re-key records whose key changed with the digest rules (see `caches/redigest.ts`). */
  redigest(options?: RedigestOptions): Promise<RedigestReport> {
    return redigestCache(this, options);
  }

  async close(): Promise<void> {
    await this.values.close?.();
    if (this.calls !== (this.values as unknown)) await this.calls.close?.();
  }
}

function missOnCacheMiss(error: unknown): typeof MISS {
  if (error instanceof CacheMiss) return MISS;
  throw error;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return (value as { constructor?: { name?: string } }).constructor?.name ?? "an object";
}
