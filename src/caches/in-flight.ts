/**
 * The values of calls that are being computed right now. Their arguments are stored before the body
 * runs and their result just before the record is filed, so for a while the value store holds entries
 * that no call record references yet. Garbage collection must not take them: it asks this registry.
 */

/** A garbage-collection pass watching for values written while it runs. */
export interface Watch {
  /** Every digest of an open call when the watch began, then every digest written since (append-only). */
  readonly keys: readonly string[];
  /** Stop watching. */
  stop(): void;
}

interface Entry {
  /** The call's argument digests (shared with the call, never modified). */
  readonly digests: readonly string[];
  /** Digests added later (the result), or by another holder of the same key. */
  extra: string[] | undefined;
  holders: number;
}

/** Open calls of one cache, by lookup key. */
export class InFlight {
  readonly #open = new Map<string, Entry>();
  readonly #watchers = new Set<string[]>();

  /**
   * Protect the value digests of an open call until the returned function is called (once is enough;
   * later calls do nothing). Register *before* writing the values, so no pass can see them unprotected.
   */
  add(callKey: string, digests: readonly string[]): () => void {
    const entry = this.#open.get(callKey);
    if (entry) {
      entry.holders++;
      for (const d of digests) if (!entry.digests.includes(d)) (entry.extra ??= []).push(d);
    } else {
      this.#open.set(callKey, { digests, extra: undefined, holders: 1 });
    }
    if (this.#watchers.size) for (const log of this.#watchers) log.push(...digests);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.#open.get(callKey);
      if (current && --current.holders <= 0) this.#open.delete(callKey);
    };
  }

  /** A value about to be written for the open call `callKey` (its result): protected like its arguments. */
  extend(callKey: string, digest: string): void {
    const entry = this.#open.get(callKey);
    if (entry) (entry.extra ??= []).push(digest);
    if (this.#watchers.size) for (const log of this.#watchers) log.push(digest);
  }

  /** Number of open calls. */
  get size(): number {
    return this.#open.size;
  }

  /** Start a watch: the digests of every open call now, and of every value written until `stop()`. */
  watch(): Watch {
    const log: string[] = [];
    for (const entry of this.#open.values()) log.push(...entry.digests, ...(entry.extra ?? []));
    this.#watchers.add(log);
    return { keys: log, stop: () => void this.#watchers.delete(log) };
  }
}
