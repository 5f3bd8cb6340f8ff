/**
 * `Hdf5Store`: values (and, if wanted, call records) in HDF5 files that NumPy/h5py, HDF5's own tools and
 * any other HDF5 reader understand without fleche: a Float64Array is a float64 dataset, an NdArray a
 * dataset of its shape, an object a group (docs/hdf5-format.md). Built on h5wasm, loaded on first use.
 *
 * Values live in `<root>`, call records in `<root>/calls`, each as entries `/<key>` of the files
 * `<prefix>.h5` (keys grouped by their first `prefixLength` hex characters, default 2) or `<key>.h5`
 * (`prefixLength: 0`). Writes replace whole files by rename and take a lock file per shared file, so
 * readers never see a torn file and concurrent writers in several processes lose nothing. A damaged
 * entry or file is a miss with a warning; the other entries of the file stay readable.
 *
 * The folder has two layers under this store, so that each can be read (and changed) on its own:
 * - `codec/`: a value ⇄ HDF5 nodes, knowing nothing of files (plan, write-plan, decode, node-reader, the
 *   checksums, the attribute and member names of the format);
 * - `files/`: entry files on disk, never looking inside a value (safe writes by copy-check-rename, pooled
 *   read handles, the prefix layout, copying a node between files). It uses only the format's version
 *   attribute and the node reader from `codec/`; `codec/` never imports `files/`.
 * The store, its options, call records and verify sit here and join the two; h5wasm.ts loads the library
 * and h5-subset.ts types the part of it fleche uses. The cross-process lock is general: src/fs/file-lock.ts.
 */
import { statSync } from "node:fs";
import { resolve, join } from "node:path";
import { CacheMiss, FlecheError, SaveError } from "../../errors.js";
import { logger } from "../../log.js";
import { rejectUnknownKeys } from "../../known-keys.js";
import { VERIFY_OPTION_KEYS } from "../types.js";
import { HDF5_STORE_OPTION_KEYS } from "./options.js";
import { digest } from "../../digest/index.js";
import type { CallRecord } from "../../call-record.js";
import type { MaybePromise } from "../../maybe.js";
import type { CallStore, StoreConfig, ValueStore, VerifyOptions, VerifyReport } from "../types.js";
import { decodeEntry } from "./codec/decode.js";
import { EntryFiles } from "./files/entry-files.js";
import { LockTimeout } from "../../fs/file-lock.js";
import { discardInstance, isWasmAbort, loadH5wasm, loadedH5wasm } from "./h5wasm.js";
import { CAMEL_CASE, HDF5_CONFIG, checkRoot, resolveOptions, type Hdf5Compression, type Hdf5StoreOptions } from "./options.js";
import { configFromSettings, optionsFromConfig } from "../descriptor.js";
import { planValue } from "./codec/plan.js";
import { readRecord, recordWriter } from "./records.js";
import { verifyFiles } from "./verify.js";
import { writeNode, type WriteOptions } from "./codec/write-plan.js";
import type { H5Wasm } from "./h5-subset.js";

export type { Hdf5Compression, Hdf5StoreOptions } from "./options.js";

/** The HDF5 store: a value store and a call store. */
export class Hdf5Store implements ValueStore, CallStore {
  readonly type = "hdf5";
  /** The root directory as given. */
  readonly root: string;
  readonly prefixLength: number;
  readonly compression: Hdf5Compression;
  readonly #values: EntryFiles;
  readonly #calls: EntryFiles;
  readonly #write: WriteOptions;
  readonly #label: string;

  /**
   * A store of HDF5 files under the directory `root`.
   * @throws ConfigError for an unknown option, a `root` that is not a path, or an invalid `prefixLength` or
   *   `compression`.
   */
  constructor(options: Hdf5StoreOptions) {
    rejectUnknownKeys("new Hdf5Store(...)", options, HDF5_STORE_OPTION_KEYS);
    const resolved = resolveOptions(options, { origin: "new Hdf5Store(...)", ...CAMEL_CASE });
    this.root = resolved.root;
    this.prefixLength = resolved.prefixLength;
    this.compression = resolved.compression;
    this.#write = { deflateLevel: resolved.deflateLevel };
    const dir = resolve(resolved.root);
    this.#label = `HDF5 store ${dir}`;
    this.#values = new EntryFiles({ dir, prefixLength: this.prefixLength, kind: "values", label: this.#label });
    this.#calls = new EntryFiles({ dir: join(dir, "calls"), prefixLength: this.prefixLength, kind: "calls", label: this.#label });
  }

  /**
   * Build a store from a config table (snake_case: `root`, `prefix_length`, `compression`; a `type` of
   * "hdf5" may stay in), as config files do. Unknown options are a `ConfigError`.
   */
  static fromConfig(config: Readonly<Record<string, unknown>>, origin = "hdf5 store"): Hdf5Store {
    const { type, ...rest } = config;
    const options = optionsFromConfig(HDF5_CONFIG, type === undefined || type === "hdf5" ? rest : config, origin);
    // Checked here rather than as a `required` option, so the message stays "… `root` must be a directory path".
    checkRoot(options.root, `${origin}: \`root\``);
    return new Hdf5Store(options as unknown as Hdf5StoreOptions);
  }

  saveValue(value: unknown, key?: string): Promise<string> {
    return this.#writing(key, async (h5) => {
      const k = key ?? digest(value);
      // Content-addressed: what is there is this value, and is kept, with its file's mtime refreshed
      // (gc's grace period reads it; docs/gc.md). Checked without the lock first, so a value that is
      // there is not planned for nothing.
      if (this.#values.has(h5, k) && (await this.#values.touch(h5, k))) return k;
      const plan = planValue(value);
      await this.#values.putOrTouch(h5, k, (parent, name) => writeNode(parent, name, plan, this.#write));
      return k;
    });
  }

  /** Refresh the written-at time (the mtime of the file holding it) of a stored value; false when absent. */
  touchValue(key: string): Promise<boolean> {
    return this.#writing(key, (h5) => this.#values.touch(h5, key));
  }

  /**
   * Remove a value unless the file holding it was written or touched after `cutoff`, under the file's
   * lock. Values share prefix files, so a touch of one spares its neighbours too (never the reverse).
   */
  evictValueIfStale(key: string, cutoff: number): Promise<boolean> {
    return this.#writing(key, (h5) => this.#values.removeIfStale(h5, key, cutoff));
  }

  loadValue(key: string): MaybePromise<unknown> {
    return this.#reading(key, (h5) => this.#values.read(h5, key, decodeEntry));
  }

  containsValue(key: string): MaybePromise<boolean> {
    return this.#reading(key, (h5) => this.#values.has(h5, key));
  }

  evictValue(key: string): Promise<void> {
    return this.#writing(key, (h5) => this.#values.remove(h5, key));
  }

  /**
   * When the file holding `key` was last written or touched (entries share prefix files, so this is an upper bound:
   * garbage collection's grace period then spares, never removes, a value written recently).
   */
  valueWrittenAt(key: string): number | undefined {
    return modifiedAt(this.#values.layout.fileOf(key));
  }

  listValues(prefix?: string): AsyncIterable<string> {
    return this.#values.list(() => this.#library(), prefix);
  }

  saveCall(record: CallRecord): Promise<void> {
    return this.#writing(record.key, async (h5) => {
      // A record saved again replaces the old one.
      await this.#calls.put(h5, record.key, recordWriter(record), { replace: this.#calls.has(h5, record.key) });
    });
  }

  loadCall(key: string): MaybePromise<CallRecord | undefined> {
    return this.#reading(key, (h5) => {
      try {
        return this.#calls.read(h5, key, readRecord);
      } catch (error) {
        if (error instanceof CacheMiss) return undefined; // misses are routine for calls (damage was logged)
        throw error;
      }
    });
  }

  containsCall(key: string): MaybePromise<boolean> {
    return this.#reading(key, (h5) => this.#calls.has(h5, key));
  }

  evictCall(key: string): Promise<void> {
    return this.#writing(key, (h5) => this.#calls.remove(h5, key));
  }

  listCalls(prefix?: string): AsyncIterable<string> {
    return this.#calls.list(() => this.#library(), prefix);
  }

  /**
   * Read every value and record back in full (checksums, references, structure; with `deep`, digest each
   * value again); report what is damaged or left over, and with `repair` remove it (see `verify.ts`).
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    rejectUnknownKeys("Hdf5Store.verify()", options, VERIFY_OPTION_KEYS);
    const h5 = await this.#library();
    const done = { count: 0 };
    const values = await verifyFiles(h5, { files: this.#values, read: decodeEntry, kind: "values" }, options, done);
    const calls = await verifyFiles(h5, { files: this.#calls, read: readRecord, kind: "calls" }, options, done);
    return { checked: values.checked + calls.checked, problems: [...values.problems, ...calls.problems], removed: values.removed + calls.removed };
  }

  toConfig(): StoreConfig {
    const { root, prefixLength, compression } = this;
    return configFromSettings(HDF5_CONFIG, { root, prefixLength, compression });
  }

  async close(): Promise<void> {
    this.#values.close();
    this.#calls.close();
  }

  #library(): Promise<H5Wasm> {
    const h5 = loadedH5wasm();
    return h5 ? Promise.resolve(h5) : loadH5wasm();
  }

  /** Run a read synchronously when h5wasm is loaded (the hot path), else after loading it. */
  #reading<T>(key: string, read: (h5: H5Wasm) => T): MaybePromise<T> {
    const run = (h5: H5Wasm): T => {
      try {
        return read(h5);
      } catch (error) {
        if (!aborted(error)) throw error;
        discardInstance(h5);
        logger().warn(`${this.#label}: the HDF5 library aborted while reading ${key}; it is reloaded for the next operation`);
        throw new CacheMiss(key, `${this.#label}: the HDF5 library aborted while reading ${key}`, { cause: error });
      }
    };
    const h5 = loadedH5wasm();
    return h5 ? run(h5) : loadH5wasm().then(run);
  }

  /** Run a write; anything but a refusal of the value itself becomes a `SaveError` naming the store. */
  async #writing<T>(key: string | undefined, write: (h5: H5Wasm) => Promise<T>): Promise<T> {
    const h5 = await this.#library();
    try {
      return await write(h5);
    } catch (error) {
      if (aborted(error)) discardInstance(h5);
      if (error instanceof FlecheError && !(error instanceof CacheMiss)) throw error; // SaveError, Indigestible, ConfigError
      const what = error instanceof LockTimeout ? error.message : (error as Error).message?.split("\n")[0];
      throw new SaveError(`${this.#label}: cannot write ${key ?? "the value"}: ${what}`, { cause: error });
    }
  }
}

/** True when `error` (or what caused it) is a WebAssembly abort. */
function aborted(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (isWasmAbort(e)) return true;
  return false;
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
