/**
 * THE store contracts: the one file a store author reads.
 *
 * A cache is two stores. A **value store** holds argument and result values, content-addressed by their
 * digest. A **call store** holds small JSON call records keyed by the call's lookup key. One object may
 * implement both roles (method names never collide), but each role keeps its own key space.
 *
 * Every method may answer synchronously or with a promise ({@link MaybePromise}): memory and small file
 * reads stay synchronous on the hot path, servers answer asynchronously. Keys handed to stores are always
 * full 64-hex digests; prefixes are expanded by the cache (see `stores/keys.ts`) before a store sees them.
 *
 * | member | role | purpose |
 * |---|---|---|
 * | `type` | both | the registry name (`"memory"`, `"file"`, …) used in config files |
 * | **`saveValue(value, key?)`** | values | store `value`; under `key` when given (the caller already digested it), else under `digest(value)`; returns the key; throws `SaveError` when it cannot hold the value. A store with `touchValue` refreshes an entry it already holds (and its parts) as `touchValue` does, instead of skipping it |
 * | **`loadValue(key)`** | values | the value (an independent copy: mutating it never changes the store); throws `CacheMiss` when absent, corrupt or tampered |
 * | **`containsValue(key)`**, **`evictValue(key)`**, **`listValues(prefix?)`** | values | membership, removal (absent keys are a no-op), streaming key listing |
 * | **`saveCall(record)`** | calls | store a record under `record.key`, replacing any earlier record with that key |
 * | **`loadCall(key)`** | calls | the record, or `undefined` on a miss (misses are routine here, so they are not exceptions) |
 * | **`containsCall(key)`**, **`evictCall(key)`**, **`listCalls(prefix?)`** | calls | as for values |
 * | `loadResult(key)` | calls | optional hot path: only the `result` digest and `inline` values of the record under `key` (what a cache hit needs), for stores where a full record takes several reads |
 * | `queryCalls(template)` | calls | optional push-down: the records matching a digested template; stores without it are scanned |
 * | `catalog` | calls | optional push-down for the inspection tools (`fleche stats`, `fleche ui`, `f.explain`): function names, tallies, pages newest first, counts (`stores/catalog.ts`) |
 * | `leases` | calls | optional: leases on call keys, so that one process at a time computes a call (`stores/leases.ts`) |
 * | `latestCall(template, which)` | calls | optional push-down of `latest()`/`oldest()`: the matching record with the greatest or smallest `metadata.runtime.timestop` (an index lookup instead of a scan) |
 * | `childDigests(key)` | values | optional: the value keys an entry refers to (destructured parts), read without deserialising; garbage collection follows them |
 * | `valueWrittenAt(key)` | values | optional: when the entry was last written or touched (ms since the epoch, e.g. a file's mtime), or undefined; garbage collection spares entries younger than its grace period |
 * | `touchValue(key)` | values | optional: refresh the written-at time of the entry and, transitively, of its parts; `false` when it or a part is absent (nothing is then promised: store it again). A commit touches its arguments right before filing the record (docs/gc.md) |
 * | `evictValueIfStale(key, cutoff)` | values | optional: remove the entry only if it was neither written nor touched after `cutoff`, atomically with respect to `saveValue` and `touchValue`; `true` when it removed it. Garbage collection sweeps through it, so a value reused during a pass is never lost |
 * | `rawEntries` | values | optional: entries as their stored bytes, so a transfer between two stores of the same envelope format copies bytes without decoding (`RawEntries`) |
 * | `verify(options)` | both | optional: check every entry (signatures, envelopes), remove what is corrupt and what killed writers left behind; report |
 * | `toConfig()` | both | the store's config table (snake_case keys); `cacheFromConfig` rebuilds an equal store |
 * | `close()` | both | optional: release handles and connections |
 */
import { keysOf } from "../known-keys.js";
import type { MaybePromise } from "../maybe.js";
import type { CallRecord } from "../call-record.js";
import type { RecordTemplate } from "../query/template.js";
import type { Leases } from "./leases.js";
import type { CallCatalog } from "./catalog.js";

/** Keys as a store lists them: synchronously or as an async stream (never loaded all at once by contract). */
export type KeyStream = Iterable<string> | AsyncIterable<string>;

/** A store's configuration as written in `fleche.toml`: a `type` plus its snake_case options. */
export interface StoreConfig {
  readonly type: string;
  readonly [option: string]: unknown;
}

/** What a store's integrity check found and did. */
export interface VerifyReport {
  /** Entries examined. */
  readonly checked: number;
  /** Entries that were unreadable, tampered or malformed, with the reason. */
  readonly problems: readonly { readonly key: string; readonly problem: string }[];
  /** Corrupt entries and leftover temporary files removed (when repairing). */
  readonly removed: number;
}

/** Options of a store's integrity check. */
export interface VerifyOptions {
  /** Remove corrupt entries and stale temporary files. @default false */
  readonly repair?: boolean;
  /**
   * Also decode every value and check that it digests to its key (slower: every value is deserialized
   * and hashed). Stores whose checks already cover this may ignore it. @default false
   */
  readonly deep?: boolean;
  /** Progress callback: entries done so far, and the total when known. */
  readonly onProgress?: (done: number, total?: number) => void;
}

/** Every option of {@link VerifyOptions}; a store's `verify()` rejects any other key. */
export const VERIFY_OPTION_KEYS = keysOf<VerifyOptions>()(["repair", "deep", "onProgress"]);

/** What every store has, whatever its role. */
export interface Store {
  /** The registry name of this kind of store, e.g. `"memory"`. */
  readonly type: string;
  /** The config table that rebuilds an equal store. Never contains secrets. */
  toConfig(): StoreConfig;
  /** Release files, handles and connections. Optional. */
  close?(): Promise<void>;
  /** Check (and with `repair`, clean) every entry. Optional. */
  verify?(options?: VerifyOptions): Promise<VerifyReport>;
}

/** A content-addressed store of argument and result values. */
export interface ValueStore extends Store {
  /**
   * Store `value` under `key` when given (the caller already digested it), else under `digest(value)`;
   * returns the key. A store with `touchValue` refreshes an entry it already holds (and its parts).
   * @throws SaveError when the store cannot hold the value.
   */
  saveValue(value: unknown, key?: string): MaybePromise<string>;
  /**
   * The value under the full digest `key`, as an independent copy (mutating it never changes the store).
   * @throws CacheMiss when the entry is absent, corrupt or tampered with.
   */
  loadValue(key: string): MaybePromise<unknown>;
  /** Whether an entry is stored under the full digest `key`. */
  containsValue(key: string): MaybePromise<boolean>;
  /** Remove the entry under `key`; removing an absent key is a no-op. */
  evictValue(key: string): MaybePromise<void>;
  /** Stream the keys of every value entry, or only those starting with `prefix`. */
  listValues(prefix?: string): KeyStream;
  /** Optional: keys of the entries this entry is assembled from, without deserialising it (for gc). */
  childDigests?(key: string): MaybePromise<readonly string[]>;
  /**
   * Optional: when the entry under `key` was last written, in milliseconds since the epoch (a file's
   * mtime), or undefined when unknown. Lets `gc()` spare values that another process wrote moments ago
   * for a call it is still computing.
   */
  valueWrittenAt?(key: string): MaybePromise<number | undefined>;
  /**
   * Optional: refresh the written-at time of the entry under `key` and, transitively, of every part it is
   * assembled from (as a write would set it). Returns `false` when the entry or one of its parts is
   * absent; what was refreshed before the gap is then not promised to be complete, so store the value
   * again. A store with this method must also refresh an entry it already holds in `saveValue`, and must
   * implement {@link ValueStore.evictValueIfStale} and {@link ValueStore.valueWrittenAt}, which read the
   * time it sets. See docs/gc.md for the protocol this serves.
   */
  touchValue?(key: string): MaybePromise<boolean>;
  /**
   * Optional: remove the entry under `key` only if it was neither written nor touched after `cutoff`
   * (milliseconds since the epoch, the clock `valueWrittenAt` reads). Atomic with respect to concurrent
   * `saveValue` and `touchValue` of the same key, in any process: either the removal happens first and
   * the touch reports `false` (a save writes the entry again), or the touch happens first and the entry
   * stays. Returns `true` when it removed the entry, `false` when it kept it or there was none. Parts are
   * never removed with it (they are entries of their own).
   */
  evictValueIfStale?(key: string, cutoff: number): MaybePromise<boolean>;
  /** Optional: entries as their stored bytes, for transfers that copy without decoding. */
  readonly rawEntries?: RawEntries;
}

/**
 * A value store's entries as their stored bytes: the envelope of docs/file-format.md, the same in every
 * store that has it (files, S3 objects, SQL rows). A transfer between two such stores copies an entry
 * and its parts as bytes, without deserializing or serializing anything.
 */
export interface RawEntries {
  /**
   * The stored bytes of the entry `key` (a value or one of its parts), not checked (the receiving
   * store checks them). @throws CacheMiss when absent.
   */
  read(key: string): MaybePromise<Uint8Array>;
  /**
   * Store `bytes` read from another store as the entry `key`, after checking them as this store checks
   * what it reads (check value or signature). `false`, and nothing stored, when they do not pass (for
   * example, signed with a key this store does not hold): the caller then copies the value decoded.
   * @throws SaveError when the entry cannot be written.
   */
  write(key: string, bytes: Uint8Array): MaybePromise<boolean>;
}

/** The part of a call record a cache hit needs. */
export type ResultRef = Pick<CallRecord, "result" | "inline">;

/** A store of call records. */
export interface CallStore extends Store {
  /** Store `record` under `record.key`, replacing any earlier record with that key. */
  saveCall(record: CallRecord): MaybePromise<void>;
  /** The record under the lookup `key`, or `undefined` on a miss (misses are routine, not exceptions). */
  loadCall(key: string): MaybePromise<CallRecord | undefined>;
  /** Whether a record is stored under the lookup `key`. */
  containsCall(key: string): MaybePromise<boolean>;
  /** Remove the record under `key`; removing an absent key is a no-op. */
  evictCall(key: string): MaybePromise<void>;
  /** Stream the keys of every call record, or only those starting with `prefix`. */
  listCalls(prefix?: string): KeyStream;
  /**
   * Optional hot path: `{ result, inline }` of the record under `key`, or `undefined` on a miss (when
   * these two are unreadable, a miss). For intact records, equal to picking them from `loadCall(key)`.
   */
  loadResult?(key: string): MaybePromise<ResultRef | undefined>;
  /** Optional push-down of a query; must return exactly the records `matchesRecord` accepts. */
  queryCalls?(template: RecordTemplate): AsyncIterable<CallRecord> | Iterable<CallRecord>;
  /**
   * Optional push-down of `latest()` (`which = "latest"`) and `oldest()`: among the records
   * `matchesRecord(template, ·)` accepts, one whose numeric `metadata.runtime.timestop` is the greatest
   * (smallest); `undefined` when no matching record carries a numeric timestop (matching but undated
   * records never win). Ties may be broken either way.
   */
  latestCall?(template: RecordTemplate, which: "latest" | "oldest"): MaybePromise<CallRecord | undefined>;
  /** Optional: answers for the inspection tools from an index instead of a scan (`stores/catalog.ts`). */
  readonly catalog?: CallCatalog;
  /**
   * Optional: leases on call keys, so that one process (on any machine sharing the store) computes a
   * call while the others wait for its record. Stores that cannot make a lease atomic leave it out.
   */
  readonly leases?: Leases;
}

/** True when `store` implements the value-store role. */
export function isValueStore(store: unknown): store is ValueStore {
  return typeof (store as ValueStore | undefined)?.saveValue === "function";
}

/** True when `store` implements the call-store role. */
export function isCallStore(store: unknown): store is CallStore {
  return typeof (store as CallStore | undefined)?.saveCall === "function";
}
