/**
 * `Void`: a store that keeps nothing. `cache("void")` (a cache of two voids) turns caching off without
 * touching code: every call runs, every save is discarded, every lookup misses.
 */
import { CacheMiss } from "../errors.js";
import { digest } from "../digest/index.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { CallRecord } from "../call-record.js";
import type { CallStore, StoreConfig, ValueStore } from "./types.js";
import { configFromSettings, type StoreDescriptor } from "./descriptor.js";

/** Options of {@link Void}: none. Accepted as an object so a mistaken option is an error, not ignored. */
export type VoidOptions = Readonly<Record<never, never>>;

/** The options {@link Void} accepts: none. */
export const VOID_OPTION_KEYS = keysOf<VoidOptions>()([]);

/** The store that forgets everything. */
export class Void implements ValueStore, CallStore {
  readonly type = "void";

  /** The store takes no options. @throws ConfigError for any option given. */
  constructor(options?: VoidOptions) {
    rejectUnknownKeys("new Void(...)", options, VOID_OPTION_KEYS);
  }

  saveValue(value: unknown, key?: string): string {
    return key ?? digest(value);
  }

  loadValue(key: string): never {
    throw new CacheMiss(key, `No value ${key} in void (it keeps nothing)`);
  }

  containsValue(): boolean {
    return false;
  }

  evictValue(): void {}

  listValues(): Iterable<string> {
    return [];
  }

  saveCall(_record: CallRecord): void {}

  loadCall(): undefined {
    return undefined;
  }

  containsCall(): boolean {
    return false;
  }

  evictCall(): void {}

  listCalls(): Iterable<string> {
    return [];
  }

  toConfig(): StoreConfig {
    return configFromSettings(voidDescriptor, {});
  }
}

/**
 * `type = "void"` in config files. It takes no config options (a config has nothing to say about a store that keeps nothing).
 * Declared beside the class, which needs no option table of its own to write its config.
 */
export const voidDescriptor: StoreDescriptor<Void> = {
  type: "void",
  roles: ["values", "calls"],
  summary: "keeps nothing: every lookup misses (turns caching off)",
  options: [],
  create: () => new Void(),
};
