/**
 * The middle state of the two-phase save. The arguments are stored and the key is sealed before the
 * body runs; afterwards the call is either committed with its result or abandoned. Stored arguments of
 * an abandoned call are content-addressed orphans left for garbage collection.
 */
import { FlecheError } from "./errors.js";
import type { Call } from "./call.js";
import type { Metadata } from "./call-record.js";

/**
 * The state a prepared call shares with the copies views make of it (`reown`): committing or
 * abandoning any of them settles all, and the cache that stored the arguments hears about it once
 * (garbage collection protects the arguments of open calls until then).
 */
interface Settlement {
  state: "open" | "committed" | "abandoned";
  onSettle: (() => void) | undefined;
}

/**
 * A prepared call that is dropped without commit or abandon must not protect its arguments from
 * garbage collection forever: when the shared settlement becomes unreachable, settle it.
 */
const dropped = new FinalizationRegistry<() => void>((settle) => settle());

/**
 * The cache that files a prepared call's record: the part of `CacheLike` a prepared call needs. Named
 * here, not imported, so that `cache-like.ts` can hand out prepared calls without a cycle.
 */
export interface CommitTarget {
  commit(prepared: PreparedCall, result: unknown, metadata: Metadata): Promise<string>;
}

/** A call admitted to a cache, waiting for its result. */
export class PreparedCall {
  #shared: Settlement;

  /**
   * Admit `call` to `owner` (a store author's cache builds these in its `prepare`); commit it once with
   * `commit(result)`, or abandon it.
   * @param owner the cache whose policy governs the commit (a view re-owns calls its inner cache prepared)
   * @param onSettle called once when the call is committed (after the record is filed), abandoned or dropped
   */
  constructor(
    readonly call: Call,
    readonly owner: CommitTarget,
    onSettle?: () => void,
  ) {
    this.#shared = { state: "open", onSettle };
    if (onSettle) dropped.register(this.#shared, onSettle, this.#shared);
  }

  /** The sealed lookup key. */
  get key(): string {
    return this.call.key;
  }

  /** True until committed or abandoned. */
  get open(): boolean {
    return this.#shared.state === "open";
  }

  /**
   * Store `result` and file the record; returns the key. Allowed once.
   * @throws FlecheError when already committed or abandoned; `Rejected` when the cache refuses.
   */
  commit(result: unknown, metadata: Metadata = {}): Promise<string> {
    if (this.#shared.state !== "open") {
      return Promise.reject(new FlecheError(`PreparedCall ${this.key} already ${this.#shared.state}`, "FLECHE_STATE"));
    }
    this.#shared.state = "committed";
    if (!this.#shared.onSettle) return this.owner.commit(this, result, metadata);
    return this.owner.commit(this, result, metadata).finally(() => this.#settle());
  }

  /** Give up on the call. Idempotent; a later commit is refused. */
  abandon(): void {
    if (this.#shared.state !== "open") return;
    this.#shared.state = "abandoned";
    this.#settle();
  }

  /** The same call (sharing its state), committing through `owner` instead. */
  reown(owner: CommitTarget): PreparedCall {
    const copy = new PreparedCall(this.call, owner);
    copy.#shared = this.#shared;
    return copy;
  }

  /** `using prepared = await cache.prepare(call)` abandons the call if the block ends without a commit. */
  [Symbol.dispose](): void {
    this.abandon();
  }

  #settle(): void {
    const settle = this.#shared.onSettle;
    if (!settle) return;
    this.#shared.onSettle = undefined;
    dropped.unregister(this.#shared);
    settle();
  }
}
