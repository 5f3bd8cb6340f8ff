/**
 * `Query`: an immutable, re-iterable view of stored calls. Every iteration (and every terminal method)
 * runs the underlying search again, so a query reflects the cache as it is now. Chaining returns a new
 * query and never changes the receiver.
 */
import { FlecheError } from "../errors.js";
import type { LazyCall } from "../lazy-call.js";

/** A source of calls, re-run on every iteration. */
export type CallSource = () => AsyncIterable<LazyCall>;

/** A re-iterable, chainable query over stored calls. */
export class Query implements AsyncIterable<LazyCall> {
  constructor(readonly source: CallSource) {}

  [Symbol.asyncIterator](): AsyncIterator<LazyCall> {
    return this.source()[Symbol.asyncIterator]();
  }

  /** Calls for which `predicate` holds (it may be async, e.g. to look at argument values). */
  filter(predicate: (call: LazyCall) => boolean | Promise<boolean>): Query {
    const source = this.source;
    return new Query(async function* () {
      for await (const call of source()) if (await predicate(call)) yield call;
    });
  }

  /** At most the first `n` calls. */
  take(n: number): Query {
    const source = this.source;
    return new Query(async function* () {
      if (n <= 0) return;
      let seen = 0;
      for await (const call of source()) {
        yield call;
        if (++seen >= n) return;
      }
    });
  }

  /** All but the first `n` calls. */
  skip(n: number): Query {
    const source = this.source;
    return new Query(async function* () {
      let seen = 0;
      for await (const call of source()) if (seen++ >= n) yield call;
    });
  }

  /** Every matching call, loaded into an array. */
  async toArray(): Promise<LazyCall[]> {
    const out: LazyCall[] = [];
    for await (const call of this) out.push(call);
    return out;
  }

  /** How many calls match. */
  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this) n++;
    return n;
  }

  /** The first matching call, or undefined. */
  async any(): Promise<LazyCall | undefined> {
    for await (const call of this) return call;
    return undefined;
  }

  /** The first matching call; throws when there is none. */
  async first(): Promise<LazyCall> {
    const call = await this.any();
    if (!call) throw new FlecheError("Query is empty", "FLECHE_EMPTY");
    return call;
  }

  /** The single matching call; throws when there are none or several. */
  async only(): Promise<LazyCall> {
    const two = await this.take(2).toArray();
    if (two.length === 0) throw new FlecheError("Query is empty", "FLECHE_EMPTY");
    if (two.length > 1) throw new FlecheError("Query matches more than one call", "FLECHE_NOT_UNIQUE");
    return two[0]!;
  }

  /** True when nothing matches. */
  async empty(): Promise<boolean> {
    return (await this.any()) === undefined;
  }

  /** The result values of the matching calls. */
  async *results(): AsyncGenerator<unknown> {
    for await (const call of this) yield await call.result();
  }

  /** Remove every matching call record from the cache it came from; returns how many. */
  async evict(): Promise<number> {
    const calls = await this.toArray(); // materialise first: evicting while a store lists is unsafe
    for (const call of calls) await call.cache.evict(call.key);
    return calls.length;
  }
}
