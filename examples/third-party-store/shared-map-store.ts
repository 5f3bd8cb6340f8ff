/**
 * An example third-party store, written the way a package outside this repository would write it: against
 * the public entries only (`fleche` for digests and errors, `fleche/store-kit` for the contract and the
 * registry). In a real package the two imports below read `from "fleche"` and `from "fleche/store-kit"`;
 * here they point at the sources so that `npm test` checks the example without a build.
 *
 * `SharedMapStore` keeps its entries in a process-wide *space* named by `space`: every store opened on the
 * same space sees the same entries, as two `FileStore`s on one root do. Values are kept serialized with
 * `node:v8`, so each read is an independent copy (the contract: mutating a loaded value never changes the
 * store) and everything v8 can clone round-trips, which is what the value-store suite asks. It serves both
 * roles; records are kept as JSON text for the same isolation.
 */
import { deserialize, serialize } from "node:v8";
import { CacheMiss, ConfigError, digest, type CallRecord } from "../../src/index.js";
import { registerStore, type CallStore, type StoreConfig, type ValueStore } from "../../src/store-kit.js";

/** The entries of one space: values and calls keep separate key spaces, as the contract requires. */
interface Space {
  readonly values: Map<string, Buffer>;
  readonly calls: Map<string, string>;
}

const spaces = new Map<string, Space>();

/** Options of {@link SharedMapStore}. */
export interface SharedMapStoreOptions {
  /** The space to open; stores on the same space share their entries. */
  readonly space: string;
}

/** A value and call store over a named in-process space. */
export class SharedMapStore implements ValueStore, CallStore {
  /** The name `fleche.toml` uses: `values = { type = "shared-map", space = "..." }`. */
  readonly type = "shared-map";
  readonly space: string;
  readonly #entries: Space;

  constructor(options: SharedMapStoreOptions) {
    this.space = options.space;
    let entries = spaces.get(options.space);
    if (!entries) spaces.set(options.space, (entries = { values: new Map(), calls: new Map() }));
    this.#entries = entries;
  }

  saveValue(value: unknown, key?: string): string {
    const k = key ?? digest(value); // the cache passes the key when it has digested the value already
    this.#entries.values.set(k, serialize(value));
    return k;
  }

  loadValue(key: string): unknown {
    const bytes = this.#entries.values.get(key);
    if (bytes === undefined) throw new CacheMiss(key, `No value ${key} in shared-map space '${this.space}'`);
    return deserialize(bytes);
  }

  containsValue(key: string): boolean {
    return this.#entries.values.has(key);
  }

  evictValue(key: string): void {
    this.#entries.values.delete(key);
  }

  listValues(prefix = ""): string[] {
    return withPrefix(this.#entries.values.keys(), prefix);
  }

  saveCall(record: CallRecord): void {
    this.#entries.calls.set(record.key, JSON.stringify(record));
  }

  loadCall(key: string): CallRecord | undefined {
    const text = this.#entries.calls.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as CallRecord); // a miss is routine: no error
  }

  containsCall(key: string): boolean {
    return this.#entries.calls.has(key);
  }

  evictCall(key: string): void {
    this.#entries.calls.delete(key);
  }

  listCalls(prefix = ""): string[] {
    return withPrefix(this.#entries.calls.keys(), prefix);
  }

  toConfig(): StoreConfig {
    return { type: this.type, space: this.space };
  }
}

// Snapshot the keys: callers may evict while they iterate a listing.
function withPrefix(keys: Iterable<string>, prefix: string): string[] {
  return [...keys].filter((key) => key.startsWith(prefix));
}

/**
 * Make the type known to config files (`cacheFromConfig`, `fleche.toml`, the CLI). A package does this
 * when it is imported, so users write `import "my-fleche-store"` once.
 */
export function registerSharedMapStore(): void {
  registerStore("shared-map", (options, context) => {
    const { space, ...rest } = options;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new ConfigError(`${context.origin}: unknown option '${unknown[0]}' of a shared-map store (known: space)`);
    if (typeof space !== "string") throw new ConfigError(`${context.origin}: a shared-map store needs a \`space\` (a string)`);
    return new SharedMapStore({ space });
  });
}
