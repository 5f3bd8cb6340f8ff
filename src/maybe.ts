/**
 * Stores may answer synchronously (memory, small file reads) or asynchronously (SQL servers, large
 * files). The hot path must not pay a microtask per step when the answer is already there, so store
 * contracts return `MaybePromise` and the core normalises with these helpers.
 */

/** A value, or a promise of it. @inline */
export type MaybePromise<T> = T | Promise<T>;

/** True for native promises and promise-like thenables. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return (
    value instanceof Promise ||
    (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function")
  );
}

/** Apply `fn` to a maybe-promise without adding a microtask when it is already resolved. */
export function then<T, U>(value: MaybePromise<T>, fn: (resolved: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(value) ? value.then(fn) : fn(value);
}
