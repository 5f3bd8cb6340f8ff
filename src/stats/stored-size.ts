/**
 * How many bytes a value occupies in its store: the length of its stored entry (envelope, compressed,
 * signed) as the store's raw entries give it, read without decoding. Stores without raw entries (memory)
 * cannot tell: their sizes are unknown (null), never guessed.
 */
import { CacheMiss } from "../errors.js";
import type { ValueStore } from "../stores/types.js";

/** The stored size of `key` in bytes; `undefined` when absent or unreadable, `null` when the store cannot tell. */
export async function storedSize(store: ValueStore, key: string): Promise<number | null | undefined> {
  if (!store.rawEntries) return (await store.containsValue(key)) ? null : undefined;
  try {
    return (await store.rawEntries.read(key)).byteLength;
  } catch (error) {
    if (error instanceof CacheMiss) return undefined;
    throw error;
  }
}

/** `key` and, transitively, the parts it is assembled from (destructured values), each once. */
export async function withParts(store: ValueStore, key: string, seen: Set<string> = new Set()): Promise<Set<string>> {
  const pending = [key];
  while (pending.length) {
    const next = pending.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    if (!store.childDigests) continue;
    try {
      pending.push(...(await store.childDigests(next)));
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error; // an absent entry has no parts
    }
  }
  return seen;
}
