/**
 * `Expiring`: a view that serves only calls younger than `maxAge` seconds. An older call is a miss: the
 * wrapper runs it again and its new record replaces the old one. Queries, `load` and `contains` do not see
 * expired calls either; `gc()` removes their records before it collects the values no record needs.
 * The age is when the call finished (see `expiry.ts`: records without that time never expire).
 */
import { CacheMiss } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { parseDuration } from "../duration.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { LazyCall } from "../lazy-call.js";
import { WritableView } from "./writable-view.js";
import { withModifiers } from "./modifiers.js";
import { isExpired } from "./expiry.js";
import type { CallRecord } from "../call-record.js";
import type { RecordTemplate } from "../query/template.js";
import type { GcOptions, GcReport } from "./gc.js";

/** Options of {@link Expiring}. */
export interface ExpiringOptions {
  /** Serve calls that finished at most this long ago: seconds, or a duration such as "12h" or "7d". */
  readonly maxAge: number | string;
}

/** Every option of {@link ExpiringOptions}; `new Expiring()` rejects any other key. */
export const EXPIRING_OPTION_KEYS = keysOf<ExpiringOptions>()(["maxAge"]);

/** A view of `inner` in which calls older than `maxAge` are misses. */
export class Expiring extends WritableView {
  /** The age limit in seconds. */
  readonly maxAge: number;

  /** @throws ConfigError for a missing or invalid `maxAge`, or an unknown option. */
  constructor(inner: CacheLike, options: ExpiringOptions) {
    super(inner);
    rejectUnknownKeys("new Expiring(...)", options, EXPIRING_OPTION_KEYS);
    this.maxAge = parseDuration(options?.maxAge, "Expiring: option `maxAge`");
  }

  #fresh(record: CallRecord | undefined): record is CallRecord {
    return record !== undefined && !isExpired(record, this.maxAge);
  }

  /** A hit only for a call younger than `maxAge` (its record is read first: one more read than a plain hit). */
  override async lookup(key: string): Promise<unknown> {
    if (!this.#fresh(await this.inner.loadRecord(key))) return MISS;
    return this.inner.lookup(key);
  }
  /** The stored call, unless it expired (then a `CacheMiss`). */
  override async load(key: string): Promise<LazyCall> {
    const call = await this.inner.load(key);
    if (!this.#fresh(call.record)) throw new CacheMiss(key, `Call ${call.key} is older than maxAge (${this.maxAge} s)`);
    return new LazyCall(call.record, this);
  }
  /** The record, or undefined when absent or expired. */
  override async loadRecord(key: string): Promise<CallRecord | undefined> {
    const record = await this.inner.loadRecord(key);
    return this.#fresh(record) ? record : undefined;
  }
  /** True for a stored call that has not expired. */
  override contains(key: string): Promise<boolean> {
    return this.loadable(key);
  }
  /** The matching records that have not expired. */
  override async *records(template: RecordTemplate): AsyncIterable<CallRecord> {
    for await (const record of this.inner.records(template)) if (this.#fresh(record)) yield record;
  }

  /** Remove the records of expired calls (not in a dry run: then they are counted), then collect the wrapped cache. */
  override async gc(options: GcOptions = {}): Promise<GcReport> {
    const expired: string[] = [];
    for await (const record of this.inner.records({})) if (isExpired(record, this.maxAge)) expired.push(record.key);
    if (!options.dryRun) for (const key of expired) await this.inner.evict(key);
    const report = await this.inner.gc(options);
    return { ...report, expired: report.expired + expired.length };
  }

  /** The wrapped cache's config with `max_age` (in seconds). */
  override toConfig(): CacheConfig {
    return withModifiers(this.inner.toConfig(), { max_age: this.maxAge }, "Expiring");
  }
}
