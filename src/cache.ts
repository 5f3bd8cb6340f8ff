/**
 * `Cache`: a value store and a call store working as one. Values hold every argument and result by
 * digest; calls hold one small record per call. Either store can be any kind: memory, files, HDF5, SQL.
 */
import { CacheMiss, ConfigError, Indigestible, Rejected, SaveError } from "./errors.js";
import { isPromise, type MaybePromise } from "./maybe.js";
import { logger } from "./log.js";
import { LazyCall } from "./lazy-call.js";
import { PreparedCall } from "./prepared-call.js";
import { queryOver } from "./query/query-over.js";
import type { Query } from "./query/query.js";
import { scanExtreme, timestopOf } from "./query/extremes.js";
import { matchesRecord, type QueryFilter, type RecordTemplate } from "./query/template.js";
import { allKeys, checkPrefix, expandPrefix, isFullKey, shrinkAgainst } from "./stores/keys.js";
import { isCallStore, isValueStore, type CallStore, type ResultRef, type ValueStore } from "./stores/types.js";
import { MISS, type CacheConfig, type CacheLike } from "./cache-like.js";
import type { Call } from "./call.js";
import { inlineValueOf, isInlineValue, type CallRecord, type Metadata } from "./call-record.js";
import { digestArgument } from "./digest/index.js";
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
  /** The argument keys `prepare` stored for each call, and when it began: the commit touches them again (docs/gc.md). */
  readonly #stored = new WeakMap<Call, { readonly keys: readonly string[]; readonly at: number }>();

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
      const at = performance.now();
      this.#stored.set(call, { keys: await this.#storeArguments(call), at });
    } catch (error) {
      release();
      throw error;
    }
    return new PreparedCall(call, this, release);
  }

  /** Store the arguments that do not travel in the record; returns the keys that were stored. */
  async #storeArguments(call: Call): Promise<string[]> {
    const stored: string[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < call.names.length; i++) {
      if (call.references[i]) continue; // given as D(...): already stored
      if (this.inline && isInlineValue(call.values[i])) continue; // travels in the record
      const key = call.digests[i]!;
      try {
        const saved = this.values.saveValue(call.values[i], key);
        if (isPromise(saved)) pending.push(saved.then(() => stored.push(key), (e) => argumentNotStored(call, i, e)));
        else stored.push(key);
      } catch (error) {
        argumentNotStored(call, i, error);
      }
    }
    if (pending.length) await Promise.all(pending);
    return stored;
  }

  /**
   * Right before the record is filed, touch every argument value it refers to (with its parts), so that
   * a garbage-collection pass that has not seen the record cannot remove them: its cutoff is older than
   * the touch (docs/gc.md). An argument removed while the body ran (a pass took it after the grace
   * period) is refused rather than referred to. Arguments stored less than {@link RETOUCH_AFTER_MS}
   * ago are not touched again: their save was their touch. `D(...)` references are touched when
   * present; they were never this call's to store, so an absent one stays a digest-only reference.
   */
  async #touchArguments(call: Call): Promise<void> {
    const touch = this.values.touchValue?.bind(this.values);
    if (!touch) return;
    const prepared = this.#stored.get(call);
    const stored = !prepared
      ? call.digests.filter((_, i) => !call.references[i] && !(this.inline && isInlineValue(call.values[i])))
      : performance.now() - prepared.at < RETOUCH_AFTER_MS
        ? []
        : prepared.keys;
    for (const [i, key] of call.digests.entries()) {
      if (!call.references[i]) continue;
      const present = touch(key);
      if (isPromise(present)) await present;
    }
    for (const key of new Set(stored)) {
      const touched = touch(key);
      if (isPromise(touched) ? await touched : touched) continue;
      const name = call.names[call.digests.indexOf(key)];
      throw new Rejected(
        `Not filing the record of ${call.name}: its argument '${name}' (${key}) left the value store while the call ran ` +
          "(a garbage collection in another process took it after its grace period); the result is returned uncached",
      );
    }
  }

  async commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    const { call } = prepared;
    const inline = this.inline ? call.inlineArguments() : undefined;
    let resultDigest: string;
    try {
      if (inline && isInlineValue(result)) {
        resultDigest = digestArgument(result, "result");
        if (!inline.some((e) => e[0] === resultDigest)) inline.push([resultDigest, result]);
      }
      else if (isLargeBinary(result)) {
        // The store hashes a large array while it writes it (FileStore overlaps the two), so the digest
        // is known only once it is stored; it is protected from then on, and gc's grace period (the
        // file's age) covers the moment in between.
        resultDigest = await this.values.saveValue(result);
        this.#inFlight.extend(call.key, resultDigest);
      } else {
        resultDigest = digestArgument(result, "result");
        this.#inFlight.extend(call.key, resultDigest); // written before the record: protect it meanwhile
        resultDigest = await this.values.saveValue(result, resultDigest);
      }
    } catch (error) {
      if (error instanceof SaveError || error instanceof Indigestible) {
        throw new Rejected(`Cannot store the result of ${call.name}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    try {
      await this.#touchArguments(call);
    } catch (error) {
      if (error instanceof SaveError) throw new Rejected(`Cannot refresh the arguments of ${call.name}: ${error.message}`, { cause: error });
      throw error;
    }
    await this.calls.saveCall(call.record(resultDigest, metadata, inline));
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
    const touch = this.values.touchValue?.bind(this.values);
    if (touch) {
      const keys = [record.result, ...Object.values(record.arguments)].filter((k): k is string => k !== null && inlineValueOf(record, k) === undefined);
      for (const key of new Set(keys)) {
        if (!(await touch(key))) throw new Rejected(`Not filing the record of ${record.name} (${record.key}): its value ${key} left the value store while it was copied`);
      }
    }
    await this.calls.saveCall(record);
  }

  async save(call: Call, result: unknown, metadata: Metadata = {}): Promise<string> {
    return (await this.prepare(call)).commit(result, metadata);
  }

  async load(key: string): Promise<LazyCall> {
    const full = await this.#callKey(key);
    const record = await this.calls.loadCall(full);
    if (!record) throw new CacheMiss(key, `No call ${key} in this cache`);
    return new LazyCall(record, this);
  }

  async loadRecord(key: string): Promise<CallRecord | undefined> {
    return this.calls.loadCall(key);
  }

  async loadValue(key: string): Promise<unknown> {
    const full = isFullKey(key) ? key : await expandPrefix(key, (p) => this.values.listValues(p));
    return this.values.loadValue(full);
  }

  async contains(key: string): Promise<boolean> {
    try {
      return await this.calls.containsCall(await this.#callKey(key));
    } catch (error) {
      if (error instanceof CacheMiss) return false;
      throw error;
    }
  }

  async evict(key: string): Promise<void> {
    let full: string;
    try {
      full = await this.#callKey(key);
    } catch (error) {
      if (error instanceof CacheMiss) return;
      throw error;
    }
    await this.calls.evictCall(full);
  }

  expand(prefix: string): Promise<string> {
    return expandPrefix(
      prefix,
      (p) => this.calls.listCalls(p),
      (p) => this.values.listValues(p),
    );
  }

  async shrink(key: string): Promise<string> {
    return (await this.shrinkAll([key]))[0]!;
  }

  /** Call keys shrink against the call keyspace, value keys against the value keyspace. */
  async shrinkAll(keys: readonly string[]): Promise<string[]> {
    const calls = await allKeys((p) => this.calls.listCalls(p));
    const callSet = new Set(calls);
    let values: string[] | undefined;
    const out: string[] = [];
    for (const key of keys) {
      const full = checkPrefix(key);
      if (callSet.has(full)) out.push(shrinkAgainst([full], calls)[0]!);
      else out.push(shrinkAgainst([full], (values ??= await allKeys((p) => this.values.listValues(p))))[0]!);
    }
    return out;
  }

  /** Every stored call key, sorted. */
  async callKeys(): Promise<string[]> {
    return (await allKeys((p) => this.calls.listCalls(p))).sort();
  }

  /** Every stored value key, sorted. */
  async valueKeys(): Promise<string[]> {
    return (await allKeys((p) => this.values.listValues(p))).sort();
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

  /** A prefix resolved against the call keyspace only. */
  async #callKey(key: string): Promise<string> {
    if (isFullKey(key)) return key;
    return expandPrefix(key, (p) => this.calls.listCalls(p));
  }
}


/**
 * Arguments a call stored less than this many milliseconds before its commit are not touched again:
 * their save touched them recently enough. Part of the commit time `ε` that gc's grace period must
 * exceed (docs/gc.md).
 */
export const RETOUCH_AFTER_MS = 100;

/** Typed arrays and buffers of a megabyte or more: worth hashing while writing rather than before. */
function isLargeBinary(value: unknown): boolean {
  return (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) && value.byteLength >= 1 << 20;
}

function missOnCacheMiss(error: unknown): typeof MISS {
  if (error instanceof CacheMiss) return MISS;
  throw error;
}

function argumentNotStored(call: Call, index: number, error: unknown): void {
  if (!(error instanceof SaveError)) throw error;
  // The key stays right (it was computed from the value); only the value cannot be loaded back.
  logger().debug(`Argument '${call.names[index]}' of ${call.name} not stored (${error.message}); keeping a digest-only reference`);
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return (value as { constructor?: { name?: string } }).constructor?.name ?? "an object";
}
