/**
 * `CacheStack`: caches in layers, fastest first. Writes go to the first layer; reads fall through the
 * layers in order, and a call found in a lower layer is copied into the first one (back-filled) so the
 * next read is fast. Typical: a memory layer in front of a file or SQL cache, or your own cache in front
 * of a team's read-only one.
 *
 * A write-through stack (`writeThrough: true`) writes every call to every writable layer: the machine's
 * own fast layer in front of a team's shared one, so what one machine computes the others find. The
 * first layer's write decides the call's fate; a lower layer that cannot take the write (a server that
 * is away) is reported and skipped, and the call is still cached in front.
 */
import { CacheMiss, ConfigError, Rejected, StoreUnavailable } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
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
import { isReadOnly } from "./read-only-mark.js";
import { PreparedCall } from "../prepared-call.js";
import { mergeReports, type GcOptions, type GcReport } from "./gc.js";
import type { Call } from "../call.js";
import type { CallRecord, Metadata } from "../call-record.js";
import type { Query } from "../query/query.js";
import type { QueryFilter, RecordTemplate } from "../query/template.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { Leasing } from "../leases/leasing.js";

/** Options of a {@link CacheStack}. */
export interface CacheStackOptions {
  /**
   * Write every call to every writable layer (read-only layers and pools are skipped), not only to the
   * first. A lower layer's failure is reported and does not fail the call.
   * @default false
   */
  readonly writeThrough?: boolean;
}

/** Every option of {@link CacheStackOptions}; `new CacheStack()` rejects any other key. */
export const CACHE_STACK_OPTION_KEYS = keysOf<CacheStackOptions>()(["writeThrough"]);

/** An ordered stack of caches; `layers[0]` takes every write (every writable layer does, written through). */
export class CacheStack implements CacheLike {
  readonly layers: readonly CacheLike[];
  /** Whether writes go to every writable layer. */
  readonly writeThrough: boolean;
  /** Back-fills in progress by key, so concurrent reads of one key copy it once. */
  readonly #backfills = new Map<string, Promise<void>>();
  /** Written through: the calls the lower layers prepared, by call, committed after the first layer's. */
  readonly #lower = new WeakMap<Call, readonly { readonly layer: CacheLike; readonly prepared: PreparedCall }[]>();

  /**
   * A stack of `layers`, front first: the first takes the writes.
   * @throws ConfigError when `layers` is empty, holds a stack (use `push()`, which flattens) or a non-cache, or for an unknown option.
   */
  constructor(layers: readonly CacheLike[], options: CacheStackOptions = {}) {
    rejectUnknownKeys("new CacheStack(...)", options, CACHE_STACK_OPTION_KEYS);
    if (options.writeThrough !== undefined && typeof options.writeThrough !== "boolean") {
      throw new ConfigError(`CacheStack: option \`writeThrough\` must be true or false, got ${JSON.stringify(options.writeThrough)}`);
    }
    this.writeThrough = options.writeThrough === true;
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
    return new CacheStack(layer instanceof CacheStack ? [...layer.layers, ...this.layers] : [layer, ...this.layers], this.#options());
  }

  #options(): CacheStackOptions {
    return this.writeThrough ? { writeThrough: true } : {};
  }

  /** The layers below the first that take writes through (none unless written through). */
  #lowerWritable(): CacheLike[] {
    return this.writeThrough ? this.layers.slice(1).filter((layer) => !isReadOnly(layer)) : [];
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
    const lowerLayers = this.#lowerWritable();
    if (lowerLayers.length === 0) return (await this.layers[0]!.prepare(call)).reown(this);
    const [first, ...lower] = await Promise.all([
      this.layers[0]!.prepare(call),
      ...lowerLayers.map((layer) =>
        layer.prepare(call).then(
          (prepared) => ({ layer, prepared }),
          (error: unknown) => this.#skipped(call, layer, error),
        ),
      ),
    ]);
    const taken = lower.filter((p): p is { layer: CacheLike; prepared: PreparedCall } => p !== undefined);
    this.#lower.set(call, taken);
    // Settling the stack's call settles every layer's: those committed by then are left as they are.
    const settleAll = () => {
      (first as PreparedCall).abandon();
      for (const { prepared } of taken) prepared.abandon();
    };
    return new PreparedCall(call, this, settleAll);
  }

  async commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    const lower = this.#lower.get(prepared.call);
    if (!lower) return this.layers[0]!.commit(prepared, result, metadata);
    this.#lower.delete(prepared.call);
    const key = await this.layers[0]!.commit(prepared, result, metadata);
    for (const { layer, prepared: p } of lower) {
      await p.commit(result, metadata).catch((error: unknown) => this.#skipped(prepared.call, layer, error));
    }
    return key;
  }

  async save(call: Call, result: unknown, metadata?: Metadata): Promise<string> {
    const key = await this.layers[0]!.save(call, result, metadata);
    for (const layer of this.#lowerWritable()) {
      await layer.save(call, result, metadata).catch((error: unknown) => this.#skipped(call, layer, error));
    }
    return key;
  }

  /** A lower layer could not take a write-through: reported once per outage, the call stays cached in front. */
  #skipped(call: Call, layer: CacheLike, error: unknown): undefined {
    const message = `Not writing ${call.name} (${call.key}) through to layer ${this.layers.indexOf(layer)} of the stack: ${(error as Error).message}`;
    if (error instanceof StoreUnavailable && error.reported) logger().debug(message);
    else logger().warn(message);
    return undefined;
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
  /** The layers' configs as an array, or `{ stack = [...], write_through = true }` when written through. */
  toConfig(): CacheConfig {
    const layers = this.layers.map((layer) => layer.toConfig());
    return this.writeThrough ? { stack: layers, write_through: true } : layers;
  }
  close(): Promise<void> {
    return closeAll(this.layers);
  }
}
