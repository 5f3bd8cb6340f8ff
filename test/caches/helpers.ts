/** Shared bits of the cache-composition tests. */
import { Cache, Memory, type CacheLike } from "../../src/index.js";
import { Call } from "../../src/call.js";

export const identity = { name: "f", module: "tests", version: 1, codeDigest: null };

/** A fresh in-memory cache. */
export const fresh = (): Cache => new Cache({ values: new Memory(), calls: new Memory() });

/** A call of `f` with these arguments. */
export const callOf = (args: Record<string, unknown>, name = "f"): Call => Call.of({ ...identity, name }, args);

/** Save `f(x)` = `result` into `cache`; returns the key. */
export const put = (cache: CacheLike, x: unknown, result: unknown = `r${String(x)}`, name = "f"): Promise<string> =>
  cache.save(callOf({ x }, name), result, { runtime: { timestop: Date.now() / 1000 } });

/** Keys of every stored call, sorted. */
export async function keysOf(cache: CacheLike): Promise<string[]> {
  const keys: string[] = [];
  for await (const record of cache.records({})) keys.push(record.key);
  return keys.sort();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Count calls of a cache method (and optionally slow it down, to widen race windows). */
export function spy<T extends object, K extends keyof T>(target: T, method: K, delayMs = 0): { count: () => number } {
  const original = (target[method] as (...a: unknown[]) => unknown).bind(target);
  let n = 0;
  (target as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    n++;
    if (delayMs) await sleep(delayMs);
    return original(...args);
  };
  return { count: () => n };
}
