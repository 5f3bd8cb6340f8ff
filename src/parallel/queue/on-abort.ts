/**
 * Many tasks of one map wait on the same AbortSignal (hundreds at once on a queue): one listener per
 * signal serves them all, instead of one each (which Node reports as a likely listener leak past 10).
 */

const handlers = new WeakMap<AbortSignal, Set<() => void>>();

/** Call `handler` once when `signal` aborts; the returned function unsubscribes it. */
export function onAbort(signal: AbortSignal, handler: () => void): () => void {
  let set = handlers.get(signal);
  if (!set) {
    const all = (set = new Set());
    handlers.set(signal, all);
    signal.addEventListener(
      "abort",
      () => {
        handlers.delete(signal);
        for (const h of [...all]) h();
      },
      { once: true },
    );
  }
  set.add(handler);
  const mine = set;
  return () => void mine.delete(handler);
}
