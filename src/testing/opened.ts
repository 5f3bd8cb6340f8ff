/** Stores a conformance suite opens, closed when the suite's file is done. */
import { after } from "node:test";
import type { Store } from "../stores/types.js";

/** Wrap a store factory so every store it makes (and every store `track`ed) is closed after the tests. */
export function closingAfter<S extends Store>(make: () => S | Promise<S>): { make: () => Promise<S>; track: (store: S) => S } {
  const opened: S[] = [];
  after(async () => {
    for (const store of opened) await store.close?.();
  });
  const track = (store: S) => (opened.push(store), store);
  return { make: async () => track(await make()), track };
}
