/**
 * `Memory`: a store in the process's heap, for tests, notebooks and the default cache. It serves both
 * roles (values and calls keep separate maps) and isolates like a persistent store: values are deep
 * copies on the way in and on the way out, records are frozen.
 */
import { CacheMiss } from "../errors.js";
import { digest } from "../digest/index.js";
import { deepClone } from "../clone.js";
import { freezeRecord, type CallRecord } from "../call-record.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { CallStore, StoreConfig, ValueStore } from "./types.js";
import { configFromSettings, type StoreDescriptor } from "./descriptor.js";

/** Options of {@link Memory}. */
export interface MemoryOptions {
  /** A name shown in messages; defaults to "memory". */
  readonly label?: string;
}

/** Every option of {@link MemoryOptions}; `new Memory()` rejects any other key. */
export const MEMORY_OPTION_KEYS = keysOf<MemoryOptions>()(["label"]);

/** The in-memory store. Lost when the process exits; not shared between processes. */
export class Memory implements ValueStore, CallStore {
  readonly type = "memory";
  readonly #values = new Map<string, unknown>();
  readonly #calls = new Map<string, CallRecord>();
  readonly #label: string;

  /** An empty store; `label` names it in messages. @throws ConfigError for an unknown option. */
  constructor(options: MemoryOptions = {}) {
    rejectUnknownKeys("new Memory(...)", options, MEMORY_OPTION_KEYS);
    this.#label = options.label ?? "memory";
  }

  saveValue(value: unknown, key?: string): string {
    const k = key ?? digest(value);
    this.#values.set(k, deepClone(value));
    return k;
  }

  loadValue(key: string): unknown {
    const value = this.#values.get(key);
    if (value === undefined && !this.#values.has(key)) throw new CacheMiss(key, `No value ${key} in ${this.#label}`);
    return deepClone(value);
  }

  containsValue(key: string): boolean {
    return this.#values.has(key);
  }

  evictValue(key: string): void {
    this.#values.delete(key);
  }

  listValues(prefix?: string): Iterable<string> {
    return filterKeys(this.#values.keys(), prefix);
  }

  saveCall(record: CallRecord): void {
    // Records built by fleche are already deep-frozen and can be shared; others are copied first.
    this.#calls.set(record.key, Object.isFrozen(record) ? record : freezeRecord(structuredClone(record)));
  }

  loadCall(key: string): CallRecord | undefined {
    return this.#calls.get(key);
  }

  containsCall(key: string): boolean {
    return this.#calls.has(key);
  }

  evictCall(key: string): void {
    this.#calls.delete(key);
  }

  listCalls(prefix?: string): Iterable<string> {
    return filterKeys(this.#calls.keys(), prefix);
  }

  toConfig(): StoreConfig {
    return configFromSettings(memoryDescriptor, {});
  }
}

/** Snapshot the keys (so callers may evict while iterating) and keep those with `prefix`. */
function filterKeys(keys: Iterable<string>, prefix: string | undefined): string[] {
  const all = [...keys];
  return prefix ? all.filter((k) => k.startsWith(prefix)) : all;
}

/**
 * `type = "memory"` in config files. It takes no config options (a config has nothing to say about a label).
 * Declared beside the class, which needs no option table of its own to write its config.
 */
export const memoryDescriptor: StoreDescriptor<Memory> = {
  type: "memory",
  roles: ["values", "calls"],
  summary: "in the process's heap: values and calls, gone with the process",
  options: [],
  create: () => new Memory(),
};
