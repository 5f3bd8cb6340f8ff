/**
 * The middle state of the two-phase save. The arguments are stored and the key is sealed before the
 * body runs; afterwards the call is either committed with its result or abandoned. Stored arguments of
 * an abandoned call are content-addressed orphans left for garbage collection.
 */
import { FlecheError } from "./errors.js";
import type { Call } from "./call.js";
import type { Metadata } from "./call-record.js";
import type { CacheLike } from "./cache-like.js";

/** A call admitted to a cache, waiting for its result. */
export class PreparedCall {
  #state: "open" | "committed" | "abandoned" = "open";

  /** @param owner the cache whose policy governs the commit (a view re-owns calls its inner cache prepared) */
  constructor(
    readonly call: Call,
    readonly owner: CacheLike,
  ) {}

  /** The sealed lookup key. */
  get key(): string {
    return this.call.key;
  }

  /** True until committed or abandoned. */
  get open(): boolean {
    return this.#state === "open";
  }

  /**
   * Store `result` and file the record; returns the key. Allowed once.
   * @throws FlecheError when already committed or abandoned; `Rejected` when the cache refuses.
   */
  commit(result: unknown, metadata: Metadata = {}): Promise<string> {
    if (this.#state !== "open") {
      return Promise.reject(new FlecheError(`PreparedCall ${this.key} already ${this.#state}`, "FLECHE_STATE"));
    }
    this.#state = "committed";
    return this.owner.commit(this, result, metadata);
  }

  /** Give up on the call. Idempotent; a later commit is refused. */
  abandon(): void {
    if (this.#state === "open") this.#state = "abandoned";
  }

  /** The same call, committing through `owner` instead. */
  reown(owner: CacheLike): PreparedCall {
    return new PreparedCall(this.call, owner);
  }

  /** `using prepared = await cache.prepare(call)` abandons the call if the block ends without a commit. */
  [Symbol.dispose](): void {
    this.abandon();
  }
}
