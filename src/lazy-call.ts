/**
 * A stored call as queries and `cache.load` return it: the record's fields at hand, argument and result
 * values loaded only when asked for, from the cache the call came from (not the active one).
 */
import { CacheMiss } from "./errors.js";
import { D, type Digest } from "./digest/index.js";
import { logger } from "./log.js";
import { Call } from "./call.js";
import { inlineValueOf, type CallRecord, type Metadata, type Version } from "./call-record.js";
import type { CacheCore } from "./cache-core.js";

/** The arguments of a stored call, loaded: see {@link LazyCall.loadArguments}. @inline */
export interface LoadedArguments {
  /** Values by parameter name; an argument whose value is not stored is its `Digest`. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Names of the arguments whose values are not stored. */
  readonly missing: readonly string[];
}

/** A stored call with lazily loaded values. Immutable. */
export class LazyCall {
  constructor(
    readonly record: CallRecord,
    /** The cache the call came from: its values load from there, `query.evict()` removes it there. */
    readonly cache: CacheCore,
  ) {}

  /** The call's full lookup key (64 hex digits). */
  get key(): string {
    return this.record.key;
  }
  /** The name of the function that was called. */
  get name(): string {
    return this.record.name;
  }
  /** The module of the function, or `null` when it was unknown. */
  get module(): string | null {
    return this.record.module;
  }
  /** The function's `version` option when the call was stored (`null` without one). */
  get version(): Version {
    return this.record.version;
  }
  /** The digest of the function's code when it was stored with `hashCode`, else `null`. */
  get codeDigest(): string | null {
    return this.record.codeDigest;
  }
  /** The metadata stored with the call, by provider namespace (`runtime`, `git`, `tags`, …). */
  get metadata(): Metadata {
    return this.record.metadata;
  }
  /** Parameter name → digest of the stored argument value. */
  get argumentDigests(): { readonly [name: string]: string } {
    return this.record.arguments;
  }
  /** Digest of the result, or null while the call is being computed. */
  get resultDigest(): string | null {
    return this.record.result;
  }

  /**
   * The result value (loaded on each call), or undefined while the call is pending.
   * @throws CacheMiss naming the call and the value when the result's value is not in the value store
   *   (a dangling reference: `fleche verify` reports these, `--repair` removes such records).
   */
  async result(): Promise<unknown> {
    const digest = this.record.result;
    if (digest === null) return undefined;
    const inline = inlineValueOf(this.record, digest);
    if (inline !== undefined) return inline;
    try {
      return await this.cache.loadValue(digest);
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error;
      throw new CacheMiss(digest, `The result of ${this.name} (call ${this.key}), value ${digest}, cannot be loaded: ${error.message}`, { cause: error });
    }
  }

  /**
   * One argument's value. When the value is not stored (it could not be stored, was given as a `D(...)`
   * reference to a value this cache lacks, or was removed), its {@link Digest} is returned instead, so the
   * call stays inspectable and re-keys exactly, and a warning names the call, the argument and the digest
   * (once per call and argument; a process remembers 10,000 of them). {@link loadArguments} lists such arguments.
   * @throws CacheMiss when the call has no such parameter.
   */
  async argument(name: string): Promise<unknown> {
    const loaded = await this.#argument(name);
    if (loaded !== MISSING) return loaded;
    const digest = this.record.arguments[name]!;
    warnOnce(`${this.key}/${name}`, () => `Argument '${name}' of ${this.name} (call ${this.key}) is not stored in its cache (value ${digest} is missing); it loads as its Digest`);
    return D(digest);
  }

  /** Every argument value by name (see {@link argument} for values that are not stored). */
  async arguments(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.record.arguments)) out[name] = await this.argument(name);
    return out;
  }

  /**
   * Every argument loaded once, without warnings: `values` by name (an argument whose value is not
   * stored as its `Digest`) and `missing`, the names of those arguments: the record's dangling
   * references among its arguments. Pass it to {@link fetch} to build the call without loading again.
   */
  async loadArguments(): Promise<LoadedArguments> {
    const values: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const name of Object.keys(this.record.arguments)) {
      const value = await this.#argument(name);
      if (value === MISSING) missing.push(name);
      values[name] = value === MISSING ? D(this.record.arguments[name]!) : value;
    }
    return { values, missing };
  }

  /**
   * A live {@link Call} with every argument loaded (unstored ones stay `Digest` references, keyed as
   * their digest), ready to be saved into another cache. Without `loaded`, arguments are loaded here and
   * unstored ones warn as in {@link argument}; with it (from {@link loadArguments}), the caller has dealt
   * with them.
   */
  async fetch(loaded?: LoadedArguments): Promise<Call> {
    const { name, module, version, codeDigest } = this.record;
    return Call.of({ name, module, version, codeDigest }, loaded ? loaded.values : await this.arguments());
  }

  /** An argument's value, or {@link MISSING}. */
  async #argument(name: string): Promise<unknown> {
    const digest = this.record.arguments[name];
    if (digest === undefined) throw new CacheMiss(name, `Call ${this.key} (${this.name}) has no argument '${name}'`);
    const inline = inlineValueOf(this.record, digest);
    if (inline !== undefined) return inline;
    try {
      return await this.cache.loadValue(digest);
    } catch (error) {
      if (error instanceof CacheMiss) return MISSING;
      throw error;
    }
  }
}

/** Marks an argument whose value is not stored. */
const MISSING: unique symbol = Symbol("missing");

/**
 * Warnings already given, so an argument read in a loop warns once. Bounded: forgotten after 10,000
 * distinct ones, so a long-running process may warn about an argument again, never grow without limit.
 */
const warned = new Set<string>();
const WARNED_LIMIT = 10_000;

function warnOnce(key: string, message: () => string): void {
  if (warned.has(key)) return;
  if (warned.size >= WARNED_LIMIT) warned.clear();
  warned.add(key);
  logger().warn(message());
}
