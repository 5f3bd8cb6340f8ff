/**
 * A stored call as queries and `cache.load` return it: the record's fields at hand, argument and result
 * values loaded only when asked for, from the cache the call came from (not the active one).
 */
import { CacheMiss } from "./errors.js";
import { D, type Digest } from "./digest/index.js";
import { Call } from "./call.js";
import { inlineValueOf, type CallRecord, type Metadata, type Version } from "./call-record.js";
import type { CacheLike } from "./cache-like.js";

/** A stored call with lazily loaded values. Immutable. */
export class LazyCall {
  constructor(
    readonly record: CallRecord,
    readonly cache: CacheLike,
  ) {}

  get key(): string {
    return this.record.key;
  }
  get name(): string {
    return this.record.name;
  }
  get module(): string | null {
    return this.record.module;
  }
  get version(): Version {
    return this.record.version;
  }
  get codeDigest(): string | null {
    return this.record.codeDigest;
  }
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

  /** The result value (loaded on each call), or undefined while the call is pending. */
  async result(): Promise<unknown> {
    if (this.record.result === null) return undefined;
    const inline = inlineValueOf(this.record, this.record.result);
    return inline !== undefined ? inline : this.cache.loadValue(this.record.result);
  }

  /**
   * One argument's value. When the value itself is not stored (a digest-only reference, or collected),
   * its {@link Digest} is returned instead, so the call stays inspectable.
   * @throws CacheMiss when the call has no such parameter.
   */
  async argument(name: string): Promise<unknown> {
    const digest = this.record.arguments[name];
    if (digest === undefined) throw new CacheMiss(name, `Call ${this.key} (${this.name}) has no argument '${name}'`);
    const inline = inlineValueOf(this.record, digest);
    if (inline !== undefined) return inline;
    try {
      return await this.cache.loadValue(digest);
    } catch (error) {
      if (error instanceof CacheMiss) return D(digest);
      throw error;
    }
  }

  /** Every argument value by name (see {@link argument} for values that are not stored). */
  async arguments(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.record.arguments)) out[name] = await this.argument(name);
    return out;
  }

  /**
   * A live {@link Call} with every argument loaded (unstored ones stay `Digest` references, keyed as
   * their digest), ready to be saved into another cache.
   */
  async fetch(): Promise<Call> {
    const { name, module, version, codeDigest } = this.record;
    const call = Call.of({ name, module, version, codeDigest }, await this.arguments());
    return call;
  }
}
