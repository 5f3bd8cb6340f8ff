/**
 * A call bound to its arguments: the live argument values by parameter name, their digests, and the
 * lookup key. Built before the body runs (so a body that mutates its arguments cannot change the key),
 * turned into a stored {@link CallRecord} when the result is committed.
 */
import { digestArgument, isDigest, makeCallKeyer, type FunctionIdentity } from "./digest/index.js";
import type { CallRecord, InlineEntry, Metadata, Version } from "./call-record.js";
import { freezeRecord, isInlineValue } from "./call-record.js";

/** The name under which the receiver is keyed when a function reads `this` (never a parameter name). */
export const THIS = "this";

/** A bound call. Immutable. */
export class Call {
  /** @param names parameter names in parameter order; @param references which values are D() references already stored */
  constructor(
    readonly identity: FunctionIdentity,
    readonly names: readonly string[],
    readonly values: readonly unknown[],
    readonly digests: readonly string[],
    readonly key: string,
    readonly references: readonly boolean[] = names.map(() => false),
  ) {}

  /** The function's name (or its `name` option). */
  get name(): string {
    return this.identity.name;
  }
  /** The module the function lives in, or `null` when unknown. */
  get module(): string | null {
    return this.identity.module;
  }
  /** The function's `version` option (`null` without one); part of the key. */
  get version(): Version {
    return this.identity.version;
  }
  /** The digest of the function's code when `hashCode` is on, else `null`; part of the key. */
  get codeDigest(): string | null {
    return this.identity.codeDigest;
  }

  /** Argument values by parameter name. */
  get arguments(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.names.forEach((n, i) => (out[n] = this.values[i]));
    return out;
  }

  /** Argument digests by parameter name. */
  get argumentDigests(): Record<string, string> {
    const out: Record<string, string> = {};
    this.names.forEach((n, i) => (out[n] = this.digests[i]!));
    return out;
  }

  /**
   * The record to store: `result` is the result's digest (null while pending); `inline` holds the small
   * values (by digest) that travel inside the record.
   */
  record(result: string | null, metadata: Metadata = {}, inline?: readonly InlineEntry[]): CallRecord {
    const { name, module, version, codeDigest } = this.identity;
    const record: CallRecord = { key: this.key, name, module, version, codeDigest, arguments: this.argumentDigests, result, metadata };
    return freezeRecord(inline && inline.length ? { ...record, inline } : record);
  }

  /** The arguments small enough to travel inside the record, by digest. */
  inlineArguments(): InlineEntry[] {
    const inline: InlineEntry[] = [];
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i];
      if (!this.references[i] && isInlineValue(value) && !inline.some((e) => e[0] === this.digests[i])) inline.push([this.digests[i]!, value]);
    }
    return inline;
  }

  /**
   * A call from an identity and argument values by name (used when re-saving loaded calls elsewhere).
   * Values given as `Digest` references key as the value they name and are not stored again.
   */
  static of(identity: FunctionIdentity, args: Readonly<Record<string, unknown>>): Call {
    const names = Object.keys(args);
    const values = names.map((n) => args[n]);
    const references = values.map((v) => isDigest(v));
    const digests = values.map((v, i) => (isDigest(v) ? v.hex : digestArgument(v, `args.${names[i]}`)));
    return new Call(identity, names, values, digests, callKey(identity, names, digests), references);
  }
}

/** The lookup key of a call (argument names sorted, so parameter order never matters). */
export function callKey(identity: FunctionIdentity, names: readonly string[], digests: readonly string[]): string {
  return keyWith(makeCallKeyer(identity), names, digests);
}

/** Apply a keyer with names in canonical (sorted) order; cheap when they already are. */
export function keyWith(
  keyer: (names: readonly string[], digests: readonly string[]) => string,
  names: readonly string[],
  digests: readonly string[],
): string {
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      const order = names.map((_, k) => k).sort((a, b) => (names[a]! < names[b]! ? -1 : 1));
      return keyer(order.map((k) => names[k]!), order.map((k) => digests[k]!));
    }
  }
  return keyer(names, digests);
}
