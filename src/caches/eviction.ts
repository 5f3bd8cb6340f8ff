/**
 * Eviction policies of size-limited caches: which call record goes when the cache is full. A policy
 * tracks the keys it is told about and names a victim; every operation is O(1).
 *
 * - `random`: a uniformly random record (the original's default; no bookkeeping on reads);
 * - `lru`: the least recently *used* record (a hit moves it to the back);
 * - `lrc`: the least recently *computed* record (reads change nothing: oldest results go first).
 */
import { ConfigError } from "../errors.js";

/** Tracks call keys and chooses which one to evict. */
export interface EvictionPolicy {
  /** The name written to config (`eviction = "lru"`). */
  readonly name: string;
  /** Number of keys tracked. */
  readonly size: number;
  /** Whether `key` is tracked. */
  has(key: string): boolean;
  /** A key was saved (again). */
  add(key: string): void;
  /** A key was read. */
  touch(key: string): void;
  /** A key was removed from the cache: stop tracking it (an untracked key is a no-op). */
  delete(key: string): void;
  /** The key to evict next, never `spare` while another key exists; undefined when empty. */
  victim(spare?: string): string | undefined;
}

/** Makes a fresh, empty policy. */
export type EvictionPolicyFactory = () => EvictionPolicy;

/** Keys in recency order (a Map keeps insertion order, and re-inserting moves a key to the back). */
function recencyPolicy(name: string, touchMoves: boolean): EvictionPolicy {
  const keys = new Map<string, true>();
  return {
    name,
    get size() {
      return keys.size;
    },
    has: (key) => keys.has(key),
    add(key) {
      keys.delete(key);
      keys.set(key, true);
    },
    touch(key) {
      if (touchMoves && keys.delete(key)) keys.set(key, true);
    },
    delete: (key) => void keys.delete(key),
    victim(spare) {
      for (const key of keys.keys()) if (key !== spare || keys.size === 1) return key;
      return undefined;
    },
  };
}

/** Uniform random choice over an array with swap-remove, so every operation is O(1). */
function randomPolicy(random: () => number = Math.random): EvictionPolicy {
  const list: string[] = [];
  const index = new Map<string, number>();
  return {
    name: "random",
    get size() {
      return list.length;
    },
    has: (key) => index.has(key),
    add(key) {
      if (index.has(key)) return;
      index.set(key, list.length);
      list.push(key);
    },
    touch() {},
    delete(key) {
      const i = index.get(key);
      if (i === undefined) return;
      const last = list.pop()!;
      index.delete(key);
      if (last !== key) {
        list[i] = last;
        index.set(last, i);
      }
    },
    victim(spare) {
      if (list.length === 0) return undefined;
      if (list.length === 1) return list[0];
      const s = spare === undefined ? undefined : index.get(spare);
      if (s === undefined) return list[Math.floor(random() * list.length)];
      const i = Math.floor(random() * (list.length - 1)); // any index but the spared one
      return list[i >= s ? i + 1 : i];
    },
  };
}

const policies = new Map<string, EvictionPolicyFactory>([
  ["random", () => randomPolicy()],
  ["lru", () => recencyPolicy("lru", true)],
  ["lrc", () => recencyPolicy("lrc", false)],
]);

/** Make a policy available under `name` in code and config (`eviction = "name"`). */
export function registerEviction(name: string, factory: EvictionPolicyFactory): void {
  policies.set(name, factory);
}

/** The registered policy names. */
export function evictionNames(): string[] {
  return [...policies.keys()].sort();
}

/** A fresh policy by name; `origin` names the config in errors. */
export function evictionPolicy(name: string, origin = "eviction"): EvictionPolicy {
  const factory = policies.get(name);
  if (!factory) throw new ConfigError(`${origin}: unknown eviction policy '${name}' (known: ${evictionNames().join(", ")})`);
  return factory();
}
