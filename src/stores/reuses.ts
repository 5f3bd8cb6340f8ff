/**
 * Reuse counts of a destructuring value store: how many stored entries refer to each value (a shared
 * sub-structure is stored once and referred to by every value that contains it). Read from the stores'
 * `childDigests`, so nothing is deserialised.
 */
import { CacheMiss } from "../errors.js";
import type { ValueStore } from "./types.js";

/** Value key → how many entries refer to it (values nothing refers to are absent). */
export async function countReuses(store: ValueStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!store.childDigests) return counts;
  for await (const key of store.listValues()) {
    let children: readonly string[];
    try {
      children = await store.childDigests(key);
    } catch (error) {
      if (error instanceof CacheMiss) continue; // evicted meanwhile, or unusable (reported)
      throw error;
    }
    for (const child of children) counts.set(child, (counts.get(child) ?? 0) + 1);
  }
  return counts;
}
