/**
 * What a {@link Cache} writes to its value store around a call, so that a record is filed only when every
 * value it refers to is there: the arguments before the body runs (`storeArguments`), the result after
 * it (`storeResult`), and a touch of the arguments right before the record is filed (`refreshArguments`,
 * `refreshValuesOf`), which a garbage-collection pass in another process cannot race (docs/gc.md).
 */
import { Indigestible, Rejected, SaveError } from "./errors.js";
import { isPromise } from "./maybe.js";
import { logger } from "./log.js";
import { digestArgument } from "./digest/index.js";
import { inlineValueOf, isInlineValue, type CallRecord, type InlineEntry } from "./call-record.js";
import type { Call } from "./call.js";
import type { InFlight } from "./caches/in-flight.js";
import type { ValueStore } from "./stores/types.js";

/**
 * Arguments a call stored less than this many milliseconds before its commit are not touched again:
 * their save touched them recently enough. Part of the commit time `ε` that gc's grace period must
 * exceed (docs/gc.md).
 */
export const RETOUCH_AFTER_MS = 100;

/** A stored result: its digest, and the small values the record carries (when `inline`). */
export interface StoredResult {
  readonly digest: string;
  readonly inline: InlineEntry[] | undefined;
}

/** The value-store side of filing calls, for one cache. */
export class CallFiling {
  /** The argument keys `storeArguments` stored for each call, and when it began: the commit touches them again. */
  readonly #stored = new WeakMap<Call, { readonly keys: readonly string[]; readonly at: number }>();

  constructor(
    private readonly values: ValueStore,
    private readonly inline: boolean,
    private readonly inFlight: InFlight,
  ) {}

  /** Store the arguments that do not travel in the record (an argument the store refuses stays a digest-only reference). */
  async storeArguments(call: Call): Promise<void> {
    const at = performance.now();
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
    this.#stored.set(call, { keys: stored, at });
  }

  /**
   * Store the result, protected from garbage collection from the moment its digest is known.
   * @throws Rejected when the result cannot be stored or digested (the call's value is returned uncached).
   */
  async storeResult(call: Call, result: unknown): Promise<StoredResult> {
    const inline = this.inline ? call.inlineArguments() : undefined;
    try {
      if (inline && isInlineValue(result)) {
        const digest = digestArgument(result, "result");
        if (!inline.some((e) => e[0] === digest)) inline.push([digest, result]);
        return { digest, inline };
      }
      if (isLargeBinary(result)) {
        // The store hashes a large array while it writes it (FileStore overlaps the two), so the digest
        // is known only once it is stored; it is protected from then on, and gc's grace period (the
        // file's age) covers the moment in between.
        const digest = await this.values.saveValue(result);
        this.inFlight.extend(call.key, digest);
        return { digest, inline };
      }
      const digest = digestArgument(result, "result");
      this.inFlight.extend(call.key, digest); // written before the record: protect it meanwhile
      return { digest: await this.values.saveValue(result, digest), inline };
    } catch (error) {
      if (error instanceof SaveError || error instanceof Indigestible) {
        throw new Rejected(`Cannot store the result of ${call.name}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Right before the record is filed, touch every argument value it refers to (with its parts), so that
   * a garbage-collection pass that has not seen the record cannot remove them: its cutoff is older than
   * the touch (docs/gc.md). An argument removed while the body ran (a pass took it after the grace
   * period) is refused rather than referred to. Arguments stored less than {@link RETOUCH_AFTER_MS}
   * ago are not touched again: their save was their touch. `D(...)` references are touched when
   * present; they were never this call's to store, so an absent one stays a digest-only reference.
   * @throws Rejected when an argument is gone, or cannot be touched.
   */
  async refreshArguments(call: Call): Promise<void> {
    try {
      await this.#touchArguments(call);
    } catch (error) {
      if (error instanceof SaveError) throw new Rejected(`Cannot refresh the arguments of ${call.name}: ${error.message}`, { cause: error });
      throw error;
    }
  }

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

  /**
   * Touch the values a copied record refers to, as a commit touches its arguments (a transfer copied
   * them as bytes). @throws Rejected when one is gone.
   */
  async refreshValuesOf(record: CallRecord): Promise<void> {
    const touch = this.values.touchValue?.bind(this.values);
    if (!touch) return;
    const keys = [record.result, ...Object.values(record.arguments)].filter((k): k is string => k !== null && inlineValueOf(record, k) === undefined);
    for (const key of new Set(keys)) {
      if (!(await touch(key))) throw new Rejected(`Not filing the record of ${record.name} (${record.key}): its value ${key} left the value store while it was copied`);
    }
  }
}

/** Typed arrays and buffers of a megabyte or more: worth hashing while writing rather than before. */
function isLargeBinary(value: unknown): boolean {
  return (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) && value.byteLength >= 1 << 20;
}

function argumentNotStored(call: Call, index: number, error: unknown): void {
  if (!(error instanceof SaveError)) throw error;
  // The key stays right (it was computed from the value); only the value cannot be loaded back.
  logger().debug(`Argument '${call.names[index]}' of ${call.name} not stored (${error.message}); keeping a digest-only reference`);
}
