/**
 * `SizeLimited`: keeps a cache within `maxSize` call records and/or `maxBytes` of values, evicting call
 * records by a policy (random, least recently used, least recently computed) after each save. It wraps
 * any cache: a plain one, a stack, a view.
 *
 * Evicting a record leaves its values as orphans, as every eviction does; `gc()` reclaims their space.
 * `maxBytes` counts each distinct value the kept records refer to once, measured by its V8-serialised
 * size (`v8.serialize`), which is close to what stores write before compression.
 *
 * The records already stored are counted the first time the cache is used (one listing; with
 * `maxBytes`, one read of every value). Records other processes add later are not seen until the next
 * start, so with several writers the bound is per process.
 */
import { serialize } from "node:v8";
import { CacheMiss, ConfigError } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { isPromise, type MaybePromise } from "../maybe.js";
import { logger } from "../log.js";
import { LazyCall } from "../lazy-call.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { WritableView } from "./writable-view.js";
import { withModifiers } from "./modifiers.js";
import { isFullKey } from "../stores/keys.js";
import { digestArgument } from "../digest/index.js";
import { evictionPolicy, type EvictionPolicy } from "./eviction.js";
import type { CallRecord, Metadata } from "../call-record.js";
import type { Call } from "../call.js";
import type { PreparedCall } from "../prepared-call.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";

/** Limits of a {@link SizeLimited} cache (at least one of `maxSize` and `maxBytes`). */
export interface SizeLimitOptions {
  /** Most call records kept. */
  readonly maxSize?: number;
  /** Most bytes of (distinct) values referenced by the kept records. */
  readonly maxBytes?: number;
  /** `"random"` (default), `"lru"`, `"lrc"`, or a name given to `registerEviction`. */
  readonly eviction?: string;
}

/** Every option of {@link SizeLimitOptions}; `new SizeLimited()` rejects any other key. */
export const SIZE_LIMIT_OPTION_KEYS = keysOf<SizeLimitOptions>()(["maxSize", "maxBytes", "eviction"]);

/** How many records may queue read-touches while the existing records are being counted. */
const PENDING_TOUCH_LIMIT = 10_000;

/** A size-limited view of `inner`. */
export class SizeLimited extends WritableView {
  readonly maxSize: number | undefined;
  readonly maxBytes: number | undefined;
  readonly eviction: string;
  #policy: EvictionPolicy;
  #ready: Promise<void> | undefined;
  #counted = false;
  #pendingTouches: string[] = [];
  /** Value digest → its size and how many kept records refer to it (only with maxBytes). */
  #values = new Map<string, { size: number; refs: number }>();
  /** Call key → the value digests it refers to (only with maxBytes). */
  #callValues = new Map<string, readonly string[]>();
  #bytes = 0;

  /**
   * Limit `inner` to `maxSize` records and/or `maxBytes` of values, evicting by `eviction`.
   * @throws ConfigError for an unknown option, neither limit, a limit below 1, or an unknown eviction policy.
   */
  constructor(inner: CacheLike, options: SizeLimitOptions) {
    super(inner);
    rejectUnknownKeys("SizeLimited", options, SIZE_LIMIT_OPTION_KEYS);
    const { maxSize, maxBytes, eviction = "random" } = options ?? {};
    if (maxSize === undefined && maxBytes === undefined) throw new ConfigError("SizeLimited: give maxSize, maxBytes or both");
    if (maxSize !== undefined && !(Number.isInteger(maxSize) && maxSize >= 1)) {
      throw new ConfigError(`SizeLimited: maxSize must be a whole number ≥ 1, got ${maxSize}`);
    }
    if (maxBytes !== undefined && !(Number.isFinite(maxBytes) && maxBytes >= 1)) {
      throw new ConfigError(`SizeLimited: maxBytes must be a number ≥ 1, got ${maxBytes}`);
    }
    this.maxSize = maxSize;
    this.maxBytes = maxBytes;
    this.eviction = eviction;
    this.#policy = evictionPolicy(eviction, "SizeLimited");
  }

  /** Records currently counted against `maxSize`. */
  get size(): number {
    return this.#policy.size;
  }

  /** Bytes currently counted against `maxBytes` (0 without it). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Count what is stored already (once; retried after a failure). */
  #count(): Promise<void> {
    return (this.#ready ??= this.#scan().catch((error) => {
      this.#ready = undefined;
      throw error;
    }));
  }

  async #scan(): Promise<void> {
    const found: CallRecord[] = [];
    for await (const record of this.inner.records({})) found.push(record);
    found.sort((a, b) => stopOf(a) - stopOf(b)); // oldest first: the order recency policies start from
    for (const record of found) {
      this.#policy.add(record.key);
      if (this.maxBytes !== undefined) await this.#weigh(record.key, digestsOf(record), new Map(record.inline ?? []));
    }
    this.#counted = true;
    for (const key of this.#pendingTouches) this.#policy.touch(key);
    this.#pendingTouches = [];
  }

  #touch(key: string): void {
    if (this.#counted) this.#policy.touch(key);
    else if (this.#pendingTouches.length < PENDING_TOUCH_LIMIT) this.#pendingTouches.push(key);
  }

  /** Count a saved call, then evict until within the limits (never the call just saved, unless it alone is too big). */
  async #admit(call: Call, result: unknown): Promise<void> {
    this.#policy.add(call.key); // synchronously after the commit: no eviction can slip in between
    if (this.maxBytes !== undefined) {
      const known = new Map<string, unknown>();
      call.digests.forEach((d, i) => call.references[i] || known.set(d, call.values[i])); // D() refs are measured from the store
      const resultKey = digestOfResult(result);
      if (resultKey) known.set(resultKey, result);
      await this.#weigh(call.key, [...call.digests, ...(resultKey ? [resultKey] : [])], known);
      if (!this.#policy.has(call.key)) this.#unweigh(call.key); // another save evicted it meanwhile
    }
    const victims: string[] = [];
    while (this.#over()) {
      const victim = this.#policy.victim(call.key);
      if (victim === undefined) break;
      if (victim === call.key) logger().warn(`SizeLimited: ${call.name} (${call.key}) alone exceeds maxBytes=${this.maxBytes}; not keeping it`);
      this.#forget(victim);
      victims.push(victim);
    }
    await Promise.all(
      victims.map((key) =>
        this.inner.evict(key).catch((error) => logger().warn(`SizeLimited: could not evict ${key}: ${(error as Error).message}`)),
      ),
    );
  }

  #over(): boolean {
    return (
      (this.maxSize !== undefined && this.#policy.size > this.maxSize) || (this.maxBytes !== undefined && this.#bytes > this.maxBytes)
    );
  }

  /** Record which values `key` refers to and their sizes (measuring values not seen before). */
  async #weigh(key: string, digests: readonly string[], known: ReadonlyMap<string, unknown>): Promise<void> {
    this.#unweigh(key);
    const unique = [...new Set(digests)];
    this.#callValues.set(key, unique);
    for (const d of unique) {
      const entry = this.#values.get(d);
      if (entry) {
        entry.refs++;
        continue;
      }
      const slot = { size: 0, refs: 1 };
      this.#values.set(d, slot); // claim it before awaiting, so concurrent saves count it once
      slot.size = known.has(d) ? sizeOf(known.get(d)) : await this.#storedSize(d);
      if (this.#values.get(d) === slot) this.#bytes += slot.size;
    }
  }

  async #storedSize(digest: string): Promise<number> {
    try {
      return sizeOf(await this.inner.loadValue(digest));
    } catch (error) {
      if (error instanceof CacheMiss) return 0; // a digest-only reference: nothing stored
      throw error;
    }
  }

  #unweigh(key: string): void {
    const digests = this.#callValues.get(key);
    if (!digests) return;
    this.#callValues.delete(key);
    for (const d of digests) {
      const entry = this.#values.get(d);
      if (!entry || --entry.refs > 0) continue;
      this.#values.delete(d);
      this.#bytes -= entry.size;
    }
  }

  #forget(key: string): void {
    this.#policy.delete(key);
    this.#unweigh(key);
  }

  /** The hot-path lookup of the wrapped cache; a hit counts as a use for the eviction policy. */
  override lookup(key: string): MaybePromise<unknown> {
    const hit = this.inner.lookup(key);
    if (isPromise(hit)) return hit.then((h) => (h !== MISS && this.#touch(key), h));
    if (hit !== MISS) this.#touch(key);
    return hit;
  }
  /**
   * Commit through the wrapped cache, then evict other calls until within `maxSize` and `maxBytes`
   * (the call just saved only when it alone exceeds them). Returns the call's key.
   */
  override async commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string> {
    await this.#count(); // before the commit, so the count never races with this record
    const key = await this.inner.commit(prepared, result, metadata);
    await this.#admit(prepared.call, result);
    return key;
  }
  /**
   * The stored call under `key` (a full key or a unique prefix); counts as a use for the eviction policy.
   * @throws CacheMiss when no call is stored under `key`.
   */
  override async load(key: string): Promise<LazyCall> {
    const stored = await this.inner.load(key);
    this.#touch(stored.key);
    return new LazyCall(stored.record, this);
  }
  /**
   * Remove the call under `key` (a full key or a unique prefix) and stop counting it; absent keys are a
   * no-op.
   */
  override async evict(key: string): Promise<void> {
    let full = key;
    if (!isFullKey(key)) {
      try {
        full = await this.inner.expand(key);
      } catch (error) {
        if (error instanceof CacheMiss) return;
        throw error;
      }
    }
    await this.inner.evict(full);
    this.#forget(full);
  }
  /** Re-key the wrapped cache's records, then count them again. */
  override async redigest(options?: RedigestOptions): Promise<RedigestReport> {
    try {
      return await this.inner.redigest(options);
    } finally {
      this.recount();
    }
  }
  /** The wrapped cache's config table with `max_size`, `max_bytes` and `eviction` added. */
  override toConfig(): CacheConfig {
    return withModifiers(
      this.inner.toConfig(),
      { max_size: this.maxSize, max_bytes: this.maxBytes, eviction: this.eviction === "random" ? undefined : this.eviction },
      "SizeLimited",
    );
  }

  /** Forget the counts, so the next use counts the stored records again (after re-keying them). */
  recount(): void {
    this.#policy = evictionPolicy(this.eviction, "SizeLimited");
    this.#ready = undefined;
    this.#counted = false;
    this.#values = new Map();
    this.#callValues = new Map();
    this.#bytes = 0;
  }
}

function stopOf(record: CallRecord): number {
  const stop = record.metadata.runtime?.timestop;
  return typeof stop === "number" ? stop : 0;
}

function digestsOf(record: CallRecord): string[] {
  const digests = Object.values(record.arguments);
  if (record.result !== null) digests.push(record.result);
  return digests;
}

/** The digest the result is stored under (as `Cache.commit` computes it), or undefined when indigestible. */
function digestOfResult(result: unknown): string | undefined {
  try {
    return digestArgument(result, "result");
  } catch {
    return undefined;
  }
}

/** Bytes a value takes, V8-serialised; values V8 cannot serialise count their JSON length, else 0. */
export function sizeOf(value: unknown): number {
  try {
    return serialize(value).byteLength;
  } catch {
    try {
      return Buffer.byteLength(JSON.stringify(value) ?? "");
    } catch {
      return 0;
    }
  }
}
