/**
 * How the entries of a map settle, and the three ways to read them (`MapRun`): awaiting the whole map
 * (values in input order), iterating outcomes in completion order, or one promise per entry. Promises
 * are made only when asked for: a map of ten thousand hits settles ten thousand slots of an array, not
 * ten thousand promises, which keeps a map of hits as cheap as awaiting the hits one by one.
 */
import type { MapOutcome, MapRun } from "./map-types.js";

/** A promise and its two settling functions. */
interface Deferred {
  readonly promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // handled: a failed entry rejects for whoever awaits it, never as unhandled
  return { promise, resolve, reject };
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** The settled state of `total` entries, and the run that reads it. */
export interface Settlements {
  /** Settle entry `index` with a value (`ok`) or a reason; later settlements of it are ignored. */
  settle(index: number, ok: boolean, value: unknown): void;
  /** Whether entry `index` has settled. */
  settled(index: number): boolean;
  /** The reading side, handed to the caller of `f.map`. */
  readonly run: MapRun<unknown>;
}

/** Settlements of `total` entries, all pending. */
export function settlements(total: number): Settlements {
  const status = new Uint8Array(total);
  const values = new Array<unknown>(total);
  const order: number[] = []; // indices in completion order
  const waiting = new Set<() => void>();
  let asked: Map<number, Deferred> | undefined; // entries whose promise was taken while pending
  let entries: Promise<unknown>[] | undefined;
  let all: Deferred | undefined;
  let failure: { reason: unknown } | undefined;

  function settle(index: number, ok: boolean, value: unknown): void {
    if (status[index] !== PENDING) return;
    status[index] = ok ? FULFILLED : REJECTED;
    values[index] = value;
    order.push(index);
    const entry = asked?.get(index);
    if (entry) (ok ? entry.resolve : entry.reject)(value);
    if (!ok && !failure) {
      failure = { reason: value };
      all?.reject(value);
    } else if (order.length === total && !failure) {
      all?.resolve(values);
    }
    if (waiting.size) {
      for (const wake of waiting) wake();
      waiting.clear();
    }
  }

  function promiseOf(index: number): Promise<unknown> {
    if (status[index] === FULFILLED) return Promise.resolve(values[index]);
    if (status[index] === REJECTED) {
      const rejected = Promise.reject(values[index]);
      rejected.catch(() => {});
      return rejected;
    }
    const entry = deferred();
    (asked ??= new Map()).set(index, entry);
    return entry.promise;
  }

  function outcome(index: number): MapOutcome<unknown> {
    return status[index] === FULFILLED ? { index, status: "fulfilled", value: values[index] } : { index, status: "rejected", reason: values[index] };
  }

  const run: MapRun<unknown> = {
    get entries() {
      return (entries ??= Array.from({ length: total }, (_, i) => promiseOf(i)));
    },
    then(onFulfilled, onRejected) {
      if (!all) {
        all = deferred();
        if (failure) all.reject(failure.reason);
        else if (order.length === total) all.resolve(values);
      }
      return (all.promise as Promise<unknown[]>).then(onFulfilled, onRejected);
    },
    async *[Symbol.asyncIterator]() {
      for (let seen = 0; seen < total; seen++) {
        while (order.length <= seen) await new Promise<void>((wake) => waiting.add(wake));
        yield outcome(order[seen]!);
      }
    },
  };
  return { settle, settled: (index) => status[index] !== PENDING, run };
}
