/**
 * `CacheStack`: caches in layers, fastest first. Writes go to the first layer; reads fall through the
 * layers in order, and a call found in a lower layer is copied into the first one (back-filled) so the
 * next read is fast. Typical: a memory layer in front of a file or SQL cache, or your own cache in front
 * of a team's read-only one.
 */
import { CacheMiss, ConfigError, Rejected } from "../errors.js";
import { isPromise, type MaybePromise } from "../maybe.js";
import { logger } from "../log.js";
import { LazyCall } from "../lazy-call.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { queryOver } from "../query/query-over.js";
import { anyContains, closeAll, expandAcross, firstRecord, firstValue, shrinkAcross, unionRecords } from "./members.js";
import { Filtered, type CallPredicate } from "./filtered.js";
import { transferCalls, type TransferOptions, type TransferReport } from "../query/transfer.js";
import { ReadOnly } from "./read-only.js";
import { canGc, canRedigest } from "./operations.js";
import { mergeReports, type GcOptions, type GcReport } from "./gc.js";
import type { Call } from "../call.js";
import type { CallRecord, Metadata } from "../call-record.js";
import type { PreparedCall } from "../prepared-call.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { Leasing } from "../leases/leasing.js";

/** An ordered stack of caches; `layers[0]` takes every write. */
export class CacheStack implements CacheLike {
  readonly layers: readonly CacheLike[];
  /** Back-fills in progress by key, so concurrent reads of one key copy it once. */
  readonly #backfills = new Map<string, Promise<void>>();

  /**
   * A stack of `layers`, front first: the first takes the writes.
   * @throws ConfigError when `layers` is empty, holds a stack (use `push()`, which flattens) or a non-cache.
   */
  constructor(layers: readonly CacheLike[]) {
    if (!Array.isArray(layers) || layers.length === 0) throw new ConfigError("CacheStack: give at least one layer (the first takes the writes)");
    for (const [i, layer] of layers.entries()) {
      if (layer instanceof CacheStack) {
        throw new ConfigError(`CacheStack: layer ${i} is itself a stack; stacks do not nest (use push(), which flattens)`);
      }
      if (typeof layer?.lookup !== "function") throw new ConfigError(`CacheStack: layer ${i} is not a cache`);
    }
    this.layers = Object.freeze([...layers]);
  }

  /** A stack with `layer` in front (it takes the writes); a stack's layers are spliced in, not nested. */
  push(layer: CacheLike): CacheStack {
    return new CacheStack(layer instanceof CacheStack ? [...layer.layers, ...this.layers] : [layer, ...this.layers]);
  }

  lookup(key: string): MaybePromise<unknown> {
    const top = this.layers[0]!.lookup(key);
    if (isPromise(top)) return top.then((hit) => (hit === MISS ? this.#lookupBelow(key) : hit));
    return top === MISS ? this.#lookupBelow(key) : top;
  }

  async #lookupBelow(key: string): Promise<unknown> {
    for (let i = 1; i < this.layers.length; i++) {
      const hit = await this.layers[i]!.lookup(key);
      if (hit !== MISS) {
        await this.#backfill(key, i, { result: hit });
        return hit;
      }
    }
    return MISS;
  }

  /** Copy the call under `key` from layer `from` into the first layer, once per key at a time. */
  #backfill(key: string, from: number, known?: { result: unknown }): Promise<void> {
    let running = this.#backfills.get(key);
    if (!running) {
      running = this.#copyUp(key, from, known).finally(() => this.#backfills.delete(key));
      this.#backfills.set(key, running);
    }
    return running;
  }

  async #copyUp(key: string, from: number, known?: { result: unknown }): Promise<void> {
    const top = this.layers[0]!;
    try {
      if (await top.contains(key)) return;
      const stored = await this.layers[from]!.load(key);
      const call = await stored.fetch();
      if (call.key !== key) {
        logger().warn(`Not back-filling ${key}: its arguments now key as ${call.key} (digests changed; run redigest())`);
        return;
      }
      await top.save(call, known ? known.result : await stored.result(), stored.metadata);
    } catch (error) {
      if (error instanceof CacheMiss) return; // evicted meanwhile: nothing to copy
      // A read must not fail because the copy did (a read-only first layer, a full disk).
      logger().warn(`Not back-filling ${key} into the first layer: ${(error as Error).message}`);
    }
  }

  /**
   * The leases of the deepest layer that offers them: the shared one in the usual stacks (a memory or
   * local cache in front of a shared one). Waiters in other processes find the record only if it is
   * filed in a layer they read (see docs/leases.md).
   */
  leasing(): Leasing | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const leasing = this.layers[i]!.leasing?.();
      if (leasing) return leasing;
    }
    return undefined;
  }

  async prepare(call: Call): Promise<PreparedCall> {
    return (await this.layers[0]!.prepare(call)).reown(this);
  }
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    return this.layers[0]!.commit(prepared, result, metadata);
  }
  save(call: Call, result: unknown, metadata?: Metadata): Promise<string> {
    return this.layers[0]!.save(call, result, metadata);
  }

  async load(key: string): Promise<LazyCall> {
    const full = await this.expand(key);
    const found = await firstRecord(this.layers, full);
    if (!found) throw new CacheMiss(key, `No call ${key} in any layer of this stack`);
    if (found.index > 0) await this.#backfill(full, found.index);
    return new LazyCall(found.record, this); // values load from whichever layer has them
  }
  async loadRecord(key: string): Promise<CallRecord | undefined> {
    return (await firstRecord(this.layers, key))?.record;
  }
  loadValue(key: string): Promise<unknown> {
    return firstValue(this.layers, key); // no back-fill for single values
  }
  async contains(key: string): Promise<boolean> {
    return anyContains(this.layers, key);
  }

  /** Remove the call from every layer (layers that refuse, like read-only ones, are skipped). */
  async evict(key: string): Promise<void> {
    for (const layer of this.layers) {
      try {
        await layer.evict(key);
      } catch (error) {
        if (!(error instanceof Rejected) && !(error instanceof CacheMiss)) throw error;
      }
    }
  }

  expand(prefix: string): Promise<string> {
    return expandAcross(this.layers, prefix);
  }
  async shrink(key: string): Promise<string> {
    return (await shrinkAcross(this.layers, [key]))[0]!;
  }
  shrinkAll(keys: readonly string[]): Promise<string[]> {
    return shrinkAcross(this.layers, keys);
  }
  records(template: RecordTemplate): AsyncIterable<CallRecord> {
    return unionRecords(this.layers, template);
  }
  query(filter: QueryFilter = {}): Query {
    return queryOver(this, filter);
  }
  /** A read-only view. */
  readOnly(): ReadOnly {
    return new ReadOnly(this);
  }
  /** A live, read-only view of the calls that match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** Copy every call into `target` (see `transfer`). */
  transfer(target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
    return transferCalls(this.query(), target, options);
  }
  /** Collect each layer that can be collected (read-only layers are left alone). */
  async gc(options?: GcOptions): Promise<GcReport> {
    const reports: GcReport[] = [];
    for (const layer of this.layers) if (canGc(layer)) reports.push(await layer.gc(options));
    return mergeReports(reports, options?.dryRun ?? false);
  }
  /** Re-key the records of each writable layer. */
  async redigest(options?: RedigestOptions): Promise<RedigestReport> {
    const reports: RedigestReport[] = [];
    for (const layer of this.layers) if (canRedigest(layer)) reports.push(await layer.redigest(options));
    return {
      rekeyed: reports.flatMap((r) => r.rekeyed),
      unchanged: reports.reduce((n, r) => n + r.unchanged, 0),
      skipped: reports.flatMap((r) => r.skipped),
      evicted: reports.flatMap((r) => r.evicted),
    };
  }
  toConfig(): CacheConfig {
    return this.layers.map((layer) => layer.toConfig());
  }
  close(): Promise<void> {
    return closeAll(this.layers);
  }
}
