/**
 * `Query`: an immutable, re-iterable view of stored calls. Every iteration (and every terminal method)
 * runs the underlying search again, so a query reflects the cache as it is now. Chaining returns a new
 * query and never changes the receiver.
 */
import { FlecheError } from "../errors.js";
import { rejectUnknownKeys } from "../known-keys.js";
import { digest } from "../digest/index.js";
import { tableRows, type TableOptions, type TableRow } from "./table.js";
import { transferCalls, type TransferOptions, type TransferReport } from "./transfer.js";
import { SORT_OPTION_KEYS, compare, keyOf, type CallKey, type SortOptions } from "./ordering.js";
import { emptyQuery, scanExtreme, timestopOf, undatedQuery, type Extreme, type ExtremeFinder } from "./extremes.js";
import type { CacheCore } from "../cache-core.js";
import type { LazyCall } from "../lazy-call.js";

export type { CallKey } from "./ordering.js";

/** A source of calls, re-run on every iteration. */
export type CallSource = () => AsyncIterable<LazyCall>;

/** A re-iterable, chainable query over stored calls. */
export class Query implements AsyncIterable<LazyCall> {
  /**
   * A query over the calls `source` yields. Queries usually come from `cache.query()` or `f.query()`;
   * `Query.of(calls)` wraps a fixed list.
   * @param source runs the search; called again on every iteration.
   * @param extremes answers latest()/oldest() without a scan (a store's index); kept by chaining that
   *   does not change which calls match (`sortBy`), dropped by the rest.
   */
  constructor(
    readonly source: CallSource,
    readonly extremes?: ExtremeFinder<LazyCall>,
  ) {}

  /**
   * Iterate the matching calls (`for await (const call of query)`); every iteration reads the source again.
   */
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

  /**
   * The calls sorted by `key` (an argument name, whose value is loaded, or a function of the call).
   * Re-sorted on every iteration. Numbers, strings, bigints and dates compare naturally.
   */
  sortBy(key: CallKey, options: SortOptions = {}): Query {
    rejectUnknownKeys("sortBy()", options, SORT_OPTION_KEYS);
    const reverse = options.reverse ?? false;
    const source = this.source;
    return new Query(async function* () {
      const keyed: { call: LazyCall; value: unknown }[] = [];
      for await (const call of source()) keyed.push({ call, value: await keyOf(call, key) });
      keyed.sort((a, b) => compare(a.value, b.value) * (reverse ? -1 : 1));
      for (const { call } of keyed) yield call;
    }, this.extremes);
  }

  /** The first call for each distinct value of `key` (values compared by content). */
  unique(key: CallKey): Query {
    const source = this.source;
    return new Query(async function* () {
      const seen = new Set<string>();
      for await (const call of source()) {
        const id = digest(await keyOf(call, key));
        if (!seen.has(id)) {
          seen.add(id);
          yield call;
        }
      }
    });
  }

  /** The calls grouped by the value of `key`, taken now; each group is a query over its calls. */
  async groupBy(key: CallKey): Promise<Map<unknown, Query>> {
    const groups = new Map<string, { value: unknown; calls: LazyCall[] }>();
    for await (const call of this) {
      const value = await keyOf(call, key);
      const id = digest(value);
      const group = groups.get(id) ?? { value, calls: [] };
      group.calls.push(call);
      groups.set(id, group);
    }
    return new Map([...groups.values()].map((g) => [g.value, Query.of(g.calls)]));
  }

  /** The call that finished last (by `runtime.timestop`); ties are broken arbitrarily. */
  latest(): Promise<LazyCall> {
    return this.#extreme("latest");
  }

  /** The call that finished first (by `runtime.timestop`); ties are broken arbitrarily. */
  oldest(): Promise<LazyCall> {
    return this.#extreme("oldest");
  }

  async #extreme(which: Extreme): Promise<LazyCall> {
    if (this.extremes) {
      const found = await this.extremes(which);
      if (found) return found;
      throw (await this.empty()) ? emptyQuery() : undatedQuery();
    }
    const { best, any } = await scanExtreme(this, (call) => timestopOf(call), which);
    if (!any) throw emptyQuery();
    if (!best) throw undatedQuery();
    return best;
  }

  /**
   * Copy the matching calls, with their values, into `target` (`pop` moves them, `overwrite` replaces calls
   * the target holds, `allowDangling` copies calls missing an argument's value); see docs/query.md.
   */
  transfer(target: CacheCore, options: TransferOptions = {}): Promise<TransferReport> {
    return transferCalls(this, target, options);
  }

  /**
   * The matching calls as rows for `console.table`: key and function, then the argument, result and
   * metadata columns `options` choose.
   */
  async table(options: TableOptions = {}): Promise<TableRow[]> {
    return tableRows(await this.toArray(), options);
  }

  /** A query over a fixed list of calls. */
  static of(calls: readonly LazyCall[]): Query {
    return new Query(async function* () {
      yield* calls;
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
    if (!call) throw emptyQuery();
    return call;
  }

  /** The single matching call; throws when there are none or several. */
  async only(): Promise<LazyCall> {
    const two = await this.take(2).toArray();
    if (two.length === 0) throw emptyQuery();
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
