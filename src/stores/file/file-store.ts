/**
 * `FileStore`: values and call records as files under a root directory, readable by any process that
 * shares the directory. It serves both roles (values are `root/ab/<key>`, records `root/ab/<key>.json`),
 * composed of three parts:
 *
 * - the root (`store-root.ts`): layout, manifest, sweeps of stale temporary files;
 * - the values (`store-values.ts`): through a serializer (`v8`, `json`, `msgpack`), optionally compressed
 *   and signed, in an envelope that names all of that (`../envelope/`); containers are split into
 *   content-addressed entries (`../destructure.ts`); binary values are stored as their raw bytes whatever
 *   the serializer;
 * - the records (`store-records.ts`): JSON files (`records.ts`).
 *
 * Every write is atomic (temporary file, then rename), so readers and crashed writers never leave or see
 * a torn entry; a corrupt, truncated or tampered entry is a miss with a warning and is removed, so the
 * recomputed value takes its place.
 *
 * docs/file-format.md specifies the layout; docs/stores.md explains the choices.
 */
import { inspect } from "node:util";
import { rejectUnknownKeys } from "../../known-keys.js";
import type { MaybePromise } from "../../maybe.js";
import type { CallRecord } from "../../call-record.js";
import type { SerializerName } from "../../serializers/types.js";
import { countReuses } from "../reuses.js";
import { VERIFY_OPTION_KEYS, type CallStore, type RawEntries, type StoreConfig, type ValueStore, type VerifyOptions, type VerifyReport } from "../types.js";
import type { Compression } from "../envelope/compression.js";
import { Signer } from "../envelope/signing.js";
import { EntryCodec } from "../envelope/codec.js";
import { configFromSettings } from "../descriptor.js";
import type { Leases } from "../leases.js";
import { normalizeOptions, type FileStoreOptions } from "./options.js";
import { FILE_CONFIG } from "./config.js";
import { verifyFiles } from "./verify.js";
import { entryChecks } from "./verify-entries.js";
import { FileLeases } from "./leases.js";
import { FileStoreRoot } from "./store-root.js";
import { FileStoreValues } from "./store-values.js";
import { FileStoreRecords } from "./store-records.js";

/** A store of values and call records in files. */
export class FileStore implements ValueStore, CallStore {
  readonly type = "file";
  /** The absolute root directory. */
  readonly root: string;
  readonly serializer: SerializerName;
  readonly compress: Compression | false;
  /** Containers at least this deep are split into entries of their own (see docs/stores.md). */
  readonly remainingDepth: number;
  /** Parts estimated smaller than this many bytes stay inside their parent (see docs/stores.md). */
  readonly minPartSize: number;
  /**
   * Leases on call keys: lock files next to the records (`leases.ts`), so that one process computes a
   * call while the others wait for its record (docs/leases.md).
   */
  readonly leases: Leases;
  readonly #leases: FileLeases;
  readonly #root: FileStoreRoot;
  readonly #values: FileStoreValues;
  readonly #records: FileStoreRecords;
  readonly #signer: Signer;

  /**
   * @example
   * const store = new FileStore({ root: ".cache/fleche", serializer: "json", compress: "gzip" });
   * const cache = new Cache({ values: store, calls: store });
   */
  constructor(options: FileStoreOptions) {
    const normalized = normalizeOptions(options, "new FileStore(...)");
    this.root = normalized.root;
    this.serializer = normalized.serializer.name;
    this.compress = normalized.compress;
    this.remainingDepth = normalized.remainingDepth;
    this.minPartSize = normalized.minPartSize;
    this.#signer = new Signer(normalized.keys);
    this.#root = new FileStoreRoot(this.root, this.serializer);
    this.leases = this.#leases = new FileLeases(this.#root.layout);
    const codec = new EntryCodec(this.#signer, this.compress, normalized.serializer);
    this.#values = new FileStoreValues(this.#root, codec, normalized.serializer, { remainingDepth: this.remainingDepth, minPartSize: this.minPartSize });
    this.#records = new FileStoreRecords(this.#root, this.#signer);
    this.rawEntries = this.#values.rawEntries;
  }

  /** A store writing Node's structured-clone format (the default). */
  static v8(options: Omit<FileStoreOptions, "serializer">): FileStore {
    return new FileStore({ ...options, serializer: "v8" });
  }

  /** A store writing human-readable JSON (with tags for what JSON lacks). */
  static json(options: Omit<FileStoreOptions, "serializer">): FileStore {
    return new FileStore({ ...options, serializer: "json" });
  }

  /** A store writing compact MessagePack that other languages read. */
  static msgpack(options: Omit<FileStoreOptions, "serializer">): FileStore {
    return new FileStore({ ...options, serializer: "msgpack" });
  }

  /** True when files are signed (and unsigned or foreign-signed files are refused). */
  get signed(): boolean {
    return this.#signer.enabled;
  }

  // ---- values (store-values.ts) ----

  saveValue(value: unknown, key?: string): MaybePromise<string> {
    return this.#values.save(value, key);
  }

  loadValue(key: string): MaybePromise<unknown> {
    return this.#values.load(key);
  }

  containsValue(key: string): boolean {
    return this.#values.contains(key);
  }

  evictValue(key: string): void {
    this.#values.evict(key);
  }

  /**
   * Refresh the value file's mtime and its parts' (docs/gc.md), taking back an entry a conditional
   * eviction holds aside. False when the value or a part is absent or unusable.
   */
  touchValue(key: string): MaybePromise<boolean> {
    return this.#values.touch(key);
  }

  /** Remove the value file unless it was written or touched after `cutoff` (see touch.ts). */
  evictValueIfStale(key: string, cutoff: number): boolean {
    return this.#values.evictIfStale(key, cutoff);
  }

  /** When the value file was written or last touched (its mtime), so gc spares what another process just stored or reused. */
  valueWrittenAt(key: string): number | undefined {
    return this.#values.writtenAt(key);
  }

  listValues(prefix?: string): Iterable<string> {
    return this.#root.list("value", prefix);
  }

  /** Value files as their bytes: a transfer to or from another store of the same envelope copies them as they are. */
  readonly rawEntries: RawEntries;

  /** The keys of the entries `key` is assembled from (read from its header, never deserialized). */
  childDigests(key: string): MaybePromise<readonly string[]> {
    return this.#values.childDigests(key);
  }

  /** How many other entries refer to each stored value (only values referred to at least once appear). */
  countReuses(): Promise<Map<string, number>> {
    return countReuses(this);
  }

  // ---- calls (store-records.ts) ----

  saveCall(record: CallRecord): void {
    this.#records.save(record);
  }

  loadCall(key: string): CallRecord | undefined {
    return this.#records.load(key);
  }

  containsCall(key: string): boolean {
    return this.#records.contains(key);
  }

  evictCall(key: string): void {
    this.#records.evict(key);
  }

  listCalls(prefix?: string): Iterable<string> {
    return this.#root.list("call", prefix);
  }

  // ---- both ----

  /**
   * Check every entry (envelopes, lengths, check values or signatures, record shapes, that split values
   * have their parts and do not contain themselves); with `deep`, also decode each value and re-hash it
   * against its key. Stale temporary files are problems too. With `repair`, remove what is unusable and
   * the stale temporary files.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    rejectUnknownKeys("FileStore.verify()", options, VERIFY_OPTION_KEYS);
    this.#root.open();
    const layout = this.#root.layout;
    return verifyFiles(layout, options, entryChecks({ layout, signer: this.#signer, files: this.#values.files, load: (key) => this.#values.loadUnreported(key) }));
  }

  /** Close the few files the leases keep open (the store stays usable: they are opened again when needed). */
  async close(): Promise<void> {
    this.#leases.close();
  }

  toConfig(): StoreConfig {
    // Through the config option list, so what is written is what config files accept. Keys never leave
    // the store (`secret_key` is a secret); `signed` says a rebuilt store needs them.
    const { root, serializer, compress, remainingDepth, minPartSize, signed } = this;
    return configFromSettings(FILE_CONFIG, { root, serializer, compress, remainingDepth, minPartSize, signed });
  }

  /**
   * How `console.log` and `util.inspect` show the store: its settings, with signing keys counted, never
   * shown.
   */
  [inspect.custom](): string {
    const keys = this.#signer.count;
    return `FileStore { root: ${JSON.stringify(this.root)}, serializer: '${this.serializer}', compress: ${this.compress ? `'${this.compress}'` : "false"}, remainingDepth: ${this.remainingDepth}, minPartSize: ${this.minPartSize}, signed: ${keys ? `${keys} key${keys > 1 ? "s" : ""} (redacted)` : "no"} }`;
  }
}
