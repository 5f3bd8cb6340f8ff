/**
 * `Filtered`: a live, read-only view of the calls of a cache that satisfy a predicate or a query filter.
 * Calls saved to the cache later show up when they match; values still load from the cache. Unlike the
 * original, membership (`contains`) is filtered too, so a view never admits a key it will not load.
 */
import { CacheMiss, ConfigError, Rejected } from "../errors.js";
import { LazyCall } from "../lazy-call.js";
import { unknownKeyMessage } from "../known-keys.js";
import { PreparedCall } from "../prepared-call.js";
import { MISS, type CacheConfig, type CacheLike } from "../cache-like.js";
import { CacheView } from "./view.js";
import { READ_ONLY } from "./read-only-mark.js";
import { withModifiers } from "./modifiers.js";
import { matchesRecord, toTemplate, type QueryFilter, type RecordTemplate } from "../query/template.js";
import type { Call } from "../call.js";
import type { CallRecord } from "../call-record.js";

/** Decides whether a stored call belongs to a filtered view (it may load values, so it may be async). */
export type { CallPredicate } from "../cache-like.js";
import type { CallPredicate } from "../cache-like.js";

/** A read-only view of the calls of `inner` that match. */
export class Filtered extends CacheView {
  readonly [READ_ONLY] = true;
  readonly #predicate: CallPredicate | undefined;
  readonly #template: RecordTemplate | undefined;
  readonly #filter: QueryFilter | undefined;

  constructor(inner: CacheLike, where: CallPredicate | QueryFilter) {
    super(inner);
    if (typeof where === "function") this.#predicate = where;
    else {
      this.#filter = where;
      this.#template = toTemplate(where);
    }
  }

  async #matches(record: CallRecord): Promise<boolean> {
    if (this.#template) return matchesRecord(this.#template, record);
    return this.#predicate!(new LazyCall(record, this));
  }

  /** The hot-path lookup of `inner`, or a miss when the call under `key` is stored but does not match. */
  override async lookup(key: string): Promise<unknown> {
    const record = await this.inner.loadRecord(key);
    if (!record || !(await this.#matches(record))) return MISS;
    return this.inner.lookup(key);
  }
  /** Digest-only admission: views are read-only, so nothing is stored. */
  override async prepare(call: Call): Promise<PreparedCall> {
    return new PreparedCall(call, this);
  }
  /** @throws Rejected always: views are read-only. */
  override async commit(prepared: PreparedCall): Promise<string> {
    throw new Rejected(`filtered view: not saving ${prepared.call.name} (${prepared.key}); views are read-only`);
  }
  /**
   * The stored call under `key` (a full key or a unique prefix), loading its values through this view.
   * @throws CacheMiss when it is absent or does not match.
   */
  override async load(key: string): Promise<LazyCall> {
    const stored = await this.inner.load(key);
    if (!(await this.#matches(stored.record))) throw new CacheMiss(key, `Call ${stored.key} is not in this filtered view`);
    return new LazyCall(stored.record, this);
  }
  /** The call record under `key`, or `undefined` when it is absent or does not match. */
  override async loadRecord(key: string): Promise<CallRecord | undefined> {
    const record = await this.inner.loadRecord(key);
    return record && (await this.#matches(record)) ? record : undefined;
  }
  /** Whether a matching call is stored under `key` (a full key or a unique prefix). */
  override contains(key: string): Promise<boolean> {
    return this.loadable(key);
  }
  /** @throws Rejected always: views are read-only. */
  override async evict(key: string): Promise<void> {
    throw new Rejected(`filtered view: not evicting ${key}; views are read-only`);
  }
  /** The records of `inner` that match `template` and this view's filter. */
  override async *records(template: RecordTemplate): AsyncGenerator<CallRecord> {
    for await (const record of this.inner.records(template)) if (await this.#matches(record)) yield record;
  }
  /** Already read-only. */
  readOnly(): Filtered {
    return this;
  }
  /** A live, read-only view of the calls of this view that also match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** `filter = {...}` on the wrapped cache's table; a predicate function has no config form. */
  override toConfig(): CacheConfig {
    if (!this.#filter) throw new ConfigError("Filtered.toConfig(): a view filtered by a function has no config form; filter by a query filter instead");
    return withModifiers(this.inner.toConfig(), { filter: filterToConfig(this.#filter) }, "Filtered");
  }
}

/** A query filter as a config table (snake_case); only JSON-representable filters have one. */
export function filterToConfig(filter: QueryFilter): Record<string, unknown> {
  const table: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (!isJson(value)) {
      throw new ConfigError(`Filtered.toConfig(): the filter's \`${key}\` holds values that have no config form (use plain JSON values)`);
    }
    table[key === "codeDigest" ? "code_digest" : key] = value;
  }
  return table;
}

/** The query filter a config table describes; `origin` names the table in errors. */
export function filterFromConfig(table: unknown, origin: string): QueryFilter {
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    throw new ConfigError(`${origin}: \`filter\` must be a table (name, module, version, code_digest, args, result, metadata)`);
  }
  const known = ["name", "module", "version", "code_digest", "args", "result", "metadata"];
  const filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table)) {
    if (!known.includes(key)) throw new ConfigError(unknownKeyMessage(origin, "key", `filter.${key}`, known.map((k) => `filter.${k}`)));
    filter[key === "code_digest" ? "codeDigest" : key] = value;
  }
  return filter as QueryFilter;
}

function isJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(isJson);
  return false;
}
