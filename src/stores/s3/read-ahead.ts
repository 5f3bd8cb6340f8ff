/**
 * Loading a stream of keys with several requests in flight. Over HTTP each request waits a round trip
 * (milliseconds on a LAN, tens of them to a cloud region), so a scan that loads one record after the
 * other spends its time waiting; keeping {@link READ_AHEAD} loads in flight overlaps the waits while the
 * results still come out in key order.
 */

/** Loads kept in flight by a scan. */
export const READ_AHEAD = 16;

/**
 * `load(key)` for every key of `keys`, in order, with up to `width` loads in flight. The first failure
 * is thrown where its result would have been yielded (later loads already started are left to settle).
 */
export async function* readAhead<T>(keys: AsyncIterable<string>, load: (key: string) => Promise<T>, width = READ_AHEAD): AsyncGenerator<T> {
  const window: Promise<T>[] = [];
  const start = (key: string) => {
    const loading = load(key);
    loading.catch(() => {}); // observed when its turn comes; never an unhandled rejection meanwhile
    window.push(loading);
  };
  try {
    for await (const key of keys) {
      start(key);
      if (window.length >= width) yield await window.shift()!;
    }
    while (window.length) yield await window.shift()!;
  } finally {
    window.length = 0; // a consumer that stops early leaves the rest to settle unobserved (caught above)
  }
}
