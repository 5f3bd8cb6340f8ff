/**
 * `FileStore`: values and call records as files under a root directory, readable by any process that
 * shares the directory. It serves both roles (values are `root/ab/<key>`, records `root/ab/<key>.json`).
 *
 * - Values go through a serializer (`v8`, `json`, `msgpack`), optionally compressed and signed, in an
 *   envelope that names all of that (`envelope.ts`); containers are split into content-addressed entries
 *   (`../destructure.ts`). Binary values are stored as their raw bytes whatever the serializer.
 * - Records are JSON files (`records.ts`).
 * - Every write is atomic (temporary file, then rename), so readers and crashed writers never leave or
 *   see a torn entry; a corrupt, truncated or tampered entry is a miss with a warning and is removed, so
 *   the recomputed value takes its place.
 *
 * docs/file-format.md specifies the layout; docs/stores.md explains the choices.
 */
import { makeDirectory } from "../../fs/mkdir.js";
import { existsSync, statSync } from "node:fs";
import { inspect } from "node:util";
import { CacheMiss, SaveError } from "../../errors.js";
import { rejectUnknownKeys } from "../../known-keys.js";
import { digest } from "../../digest/index.js";
import { logger } from "../../log.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { removeStaleTempsAsync, writeFileAtomicSync } from "../../fs/atomic.js";
import { beginWrite } from "../../fs/deferred-write.js";
import type { CallRecord } from "../../call-record.js";
import type { Serializer, SerializerName } from "../../serializers/types.js";
import { isFullKey } from "../keys.js";
import { KnownParts, planEntries, type PlannedEntry } from "../destructure.js";
import { countReuses } from "../reuses.js";
import { VERIFY_OPTION_KEYS, type CallStore, type RawEntries, type StoreConfig, type ValueStore, type VerifyOptions, type VerifyReport } from "../types.js";
import type { Compression } from "../envelope/compression.js";
import { Layout, type EntryKind } from "./layout.js";
import { FORMAT_VERSION, readManifest, writeManifest } from "./manifest.js";
import { normalizeOptions, type FileStoreOptions } from "./options.js";
import { RecordProblem, encodeRecord } from "./records.js";
import { Signer } from "../envelope/signing.js";
import { FILE_CONFIG } from "./config.js";
import { configFromSettings } from "../descriptor.js";
import { readSmallBytes, removeEntry } from "./file-io.js";
import { removeQuietly } from "../../fs/remove.js";
import { evictFileIfStale, tombOf, touchFile } from "./touch.js";
import { touchTree } from "../touch-tree.js";
import type { Header } from "../envelope/envelope.js";
import { Corrupt, ValueFiles, writeError, type LargeRaw } from "./value-files.js";
import { materialize, type Chain } from "../envelope/materialize.js";
import { EntryCodec } from "../envelope/codec.js";
import { verifyFiles } from "./verify.js";
import { Freshness, decodeFreshRecord } from "./freshness.js";
import { entryChecks } from "./verify-entries.js";
import { FileLeases } from "./leases.js";
import type { Leases } from "../leases.js";

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
  /** Objects this store wrote as entries: found again inside a later value, they are referred to. */
  readonly #known = new KnownParts();
  readonly #layout: Layout;
  readonly #signer: Signer;
  readonly #serializer: Serializer;
  readonly #files: ValueFiles;
  readonly #codec: EntryCodec;
  /** Whether the manifest has been read (and found, or found absent). */
  #opened = false;
  #hasManifest = false;
  /** Shard directories this process has swept for stale temporary files. */
  readonly #swept = new Set<string>();
  /** The newest signed record write time seen per key (replays of older signed records are refused). */
  readonly #freshness = new Freshness();

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
    this.#serializer = normalized.serializer;
    this.#signer = new Signer(normalized.keys);
    this.#layout = new Layout(this.root);
    this.leases = this.#leases = new FileLeases(this.#layout);
    this.#codec = new EntryCodec(this.#signer, this.compress, this.#serializer);
    this.#files = new ValueFiles(this.#codec);
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

  // ---- values ----

  saveValue(value: unknown, key?: string): MaybePromise<string> {
    if (key !== undefined && !isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.root} under '${key}': keys are 64 lowercase hex digits`);
    if (key === undefined) {
      const large = this.#files.largeRaw(value);
      if (large) return this.#saveLargeRaw(value, large);
    }
    const k = key ?? digest(value);
    if (!this.#serializer.ready) return this.#serializer.load().then(() => this.saveValue(value, k));
    this.#prepareWrite();
    const entries = planEntries(value, k, { remainingDepth: this.remainingDepth, minPartSize: this.minPartSize, known: this.#known });
    // A value already stored is refreshed with its parts instead of skipped (docs/gc.md); one that is
    // absent, or lost a part, is written (a part this store wrote before, `#known`, is touched too).
    const kept = this.#touch(k, false);
    if (isPromise(kept)) return kept.then((ok) => (ok ? k : this.#writeEntries(entries, 0, k)));
    return kept ? k : this.#writeEntries(entries, 0, k);
  }

  /**
   * A large binary value (a result, typically): its bytes start on their way to a temporary file while
   * its digest is computed, then the file is renamed under the digest, or dropped when that key is
   * already stored. Hashing (and the checksum, which covers the key and is filled in last) and writing
   * overlap instead of adding up.
   */
  async #saveLargeRaw(value: unknown, large: LargeRaw): Promise<string> {
    this.#prepareWrite();
    let pending;
    try {
      pending = beginWrite(this.root, large.chunks);
    } catch (error) {
      throw writeError(this.root, error);
    }
    let key: string;
    try {
      key = digest(value);
    } catch (error) {
      await pending.discard();
      throw error;
    }
    const path = this.#layout.valuePath(key);
    if (await this.#touch(key, false)) {
      await pending.discard();
      return key;
    }
    try {
      await pending.commit(path, large.check(key));
    } catch (error) {
      throw writeError(path, error);
    }
    this.#sweep(key);
    return key;
  }

  /**
   * Write entries from `i` on, children first; a part already stored (same content) is touched instead.
   * The last entry is the value itself, which the caller found absent.
   */
  #writeEntries(entries: readonly PlannedEntry[], i: number, key: string): MaybePromise<string> {
    for (; i < entries.length; i++) {
      const { key: entryKey, node } = entries[i]!;
      const path = this.#layout.valuePath(entryKey);
      if (i < entries.length - 1) {
        const kept = this.#touch(entryKey, false);
        if (isPromise(kept)) {
          const at = i;
          return kept.then((ok) => (ok ? this.#writeEntries(entries, at + 1, key) : this.#writeEntry(entries, at, key)));
        }
        if (kept) continue;
      }
      const written = this.#files.write(entryKey, path, node);
      this.#sweep(entryKey);
      if (isPromise(written)) {
        const next = i + 1;
        return written.then(() => this.#writeEntries(entries, next, key));
      }
    }
    return key;
  }

  /** Write entry `i` (known to need it), then go on with the rest. */
  #writeEntry(entries: readonly PlannedEntry[], i: number, key: string): MaybePromise<string> {
    const { key: entryKey, node } = entries[i]!;
    const written = this.#files.write(entryKey, this.#layout.valuePath(entryKey), node);
    this.#sweep(entryKey);
    return isPromise(written) ? written.then(() => this.#writeEntries(entries, i + 1, key)) : this.#writeEntries(entries, i + 1, key);
  }

  /**
   * Touch the entry `key` and its parts (their mtimes are what gc's grace period reads); false when one
   * of them is absent or unusable, so the caller writes it. With `rescue`, an entry a conditional
   * eviction holds aside right now is taken back (see touch.ts).
   */
  #touch(key: string, rescue: boolean): MaybePromise<boolean> {
    return touchTree(key, {
      touch: (k) => {
        const path = this.#layout.valuePath(k);
        try {
          return touchFile(path, rescue);
        } catch (error) {
          throw writeError(path, error); // e.g. a read-only medium: the value cannot be kept fresh
        }
      },
      children: (k) => {
        try {
          const header = this.#header(k);
          return isPromise(header) ? header.then((h) => h.c ?? [], () => undefined) : (header.c ?? []);
        } catch {
          return undefined; // unusable, or gone since the touch: write it again
        }
      },
    });
  }

  /**
   * The header of entry `key`. An entry a conditional eviction holds aside for a moment (touch.ts) is
   * read from its tomb, so gc's mark and touches never take "being decided" for "absent".
   */
  #header(key: string): MaybePromise<Header> {
    const path = this.#layout.valuePath(key);
    const attempt = (at: string, next: (() => MaybePromise<Header>) | undefined): MaybePromise<Header> => {
      const retry = (error: unknown): MaybePromise<Header> => {
        if (next && error instanceof CacheMiss) return next();
        throw error;
      };
      try {
        const header = this.#files.readHeader(key, at);
        return isPromise(header) ? header.catch(retry) : header;
      } catch (error) {
        return retry(error);
      }
    };
    return attempt(path, () => attempt(tombOf(path), () => attempt(path, undefined)));
  }

  loadValue(key: string): MaybePromise<unknown> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    this.#open();
    return this.#load(key, undefined, true);
  }

  /**
   * Load `key`, a part of the entries in `chain` (its ancestors, innermost first) when it has any. With
   * `report`, an unusable entry is reported, removed and a miss; without (for `verify`), its problem is
   * thrown as it is and nothing is removed.
   */
  #load(key: string, chain: Chain | undefined, report: boolean): MaybePromise<unknown> {
    const path = this.#layout.valuePath(key);
    try {
      const file = this.#files.read(key, path);
      const decoded = isPromise(file) ? file.then((f) => this.#files.decode(f)) : this.#files.decode(file);
      const here: Chain = { key, parent: chain };
      const load = (child: string, parents: Chain) => this.#load(child, parents, report);
      const value = isPromise(decoded) ? decoded.then((d) => materialize(d, here, load)) : materialize(decoded, here, load);
      if (!report) return value;
      return isPromise(value) ? value.catch((error: unknown) => this.#unusable(key, path, error)) : value;
    } catch (error) {
      if (!report) throw error;
      return this.#unusable(key, path, error);
    }
  }

  /** A read failed: a miss for absent or unusable entries (the unusable ones are reported and removed). */
  #unusable(key: string, path: string, error: unknown): never {
    if (!(error instanceof Corrupt)) throw error;
    this.#discard(path, error);
    throw new CacheMiss(key, `Value ${key} in ${this.root} is unusable: ${error.message}`, { cause: error });
  }

  /** Report an unusable file and remove it (unless a newer fleche wrote it), so a recomputation replaces it. */
  #discard(path: string, problem: Corrupt | RecordProblem): void {
    const newer = problem instanceof Corrupt && problem.newer;
    const fate = newer ? "it is left in place" : removeQuietly(path) ? "it is removed and will be recomputed" : "it cannot be removed";
    logger().warn(`Ignoring ${path}: ${problem.message}; ${fate}`);
  }

  containsValue(key: string): boolean {
    if (!isFullKey(key)) return false;
    this.#open();
    const path = this.#layout.valuePath(key);
    // A value a conditional eviction holds aside is stored until the eviction decides (touch.ts): a
    // reference check must not take that moment for a dangling reference and remove the record.
    return existsSync(path) || existsSync(tombOf(path));
  }

  evictValue(key: string): void {
    if (!isFullKey(key)) return;
    this.#open();
    removeEntry(this.#layout.valuePath(key));
  }

  /**
   * Refresh the value file's mtime and its parts' (docs/gc.md), taking back an entry a conditional
   * eviction holds aside. False when the value or a part is absent or unusable.
   */
  touchValue(key: string): MaybePromise<boolean> {
    if (!isFullKey(key)) return false;
    this.#open();
    return this.#touch(key, true);
  }

  /** Remove the value file unless it was written or touched after `cutoff` (see touch.ts). */
  evictValueIfStale(key: string, cutoff: number): boolean {
    if (!isFullKey(key)) return false;
    this.#open();
    return evictFileIfStale(this.#layout.valuePath(key), cutoff);
  }

  /** When the value file was written or last touched (its mtime), so gc spares what another process just stored or reused. */
  valueWrittenAt(key: string): number | undefined {
    if (!isFullKey(key)) return undefined;
    try {
      return statSync(this.#layout.valuePath(key)).mtimeMs;
    } catch {
      return undefined;
    }
  }

  listValues(prefix?: string): Iterable<string> {
    return this.#list("value", prefix);
  }

  /** Value files as their bytes: a transfer to or from another store of the same envelope copies them as they are. */
  readonly rawEntries: RawEntries = {
    read: (key) => {
      if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
      this.#open();
      return this.#files.readBytes(key, this.#layout.valuePath(key));
    },
    write: (key, bytes) => {
      if (!isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.root} under '${key}': keys are 64 lowercase hex digits`);
      try {
        this.#codec.verify(key, bytes);
      } catch (error) {
        if (error instanceof Corrupt) return false;
        throw error;
      }
      this.#prepareWrite();
      const written = this.#files.writeBytes(this.#layout.valuePath(key), [bytes]);
      this.#sweep(key);
      return isPromise(written) ? written.then(() => true) : true;
    },
  };


  /** The keys of the entries `key` is assembled from (read from its header, never deserialized). */
  childDigests(key: string): MaybePromise<readonly string[]> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    this.#open();
    const path = this.#layout.valuePath(key);
    try {
      const header = this.#header(key);
      return isPromise(header)
        ? header.then((h) => h.c ?? [], (error: unknown) => this.#unusable(key, path, error))
        : (header.c ?? []);
    } catch (error) {
      return this.#unusable(key, path, error);
    }
  }

  /** How many other entries refer to each stored value (only values referred to at least once appear). */
  countReuses(): Promise<Map<string, number>> {
    return countReuses(this);
  }

  // ---- calls ----

  saveCall(record: CallRecord): void {
    if (!isFullKey(record.key)) throw new SaveError(`Cannot store a call record in ${this.root} under '${record.key}': keys are 64 lowercase hex digits`);
    this.#prepareWrite();
    const path = this.#layout.callPath(record.key);
    try {
      writeFileAtomicSync(path, [encodeRecord(record, this.#signer, this.#signer.enabled ? this.#freshness.stamp(record.key) : 0)]);
    } catch (error) {
      throw writeError(path, error);
    }
    this.#sweep(record.key);
  }

  loadCall(key: string): CallRecord | undefined {
    if (!isFullKey(key)) return undefined;
    this.#open();
    const path = this.#layout.callPath(key);
    try {
      const bytes = readSmallBytes(path);
      if (bytes === undefined) return undefined;
      return decodeFreshRecord(bytes, key, this.#signer, this.#freshness);
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      this.#discard(path, error);
      return undefined;
    }
  }

  containsCall(key: string): boolean {
    if (!isFullKey(key)) return false;
    this.#open();
    return existsSync(this.#layout.callPath(key));
  }

  evictCall(key: string): void {
    if (!isFullKey(key)) return;
    this.#open();
    removeEntry(this.#layout.callPath(key));
  }

  listCalls(prefix?: string): Iterable<string> {
    return this.#list("call", prefix);
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
    this.#open();
    return verifyFiles(
      this.#layout,
      options,
      entryChecks({
        layout: this.#layout,
        signer: this.#signer,
        files: this.#files,
        load: (key) => this.#load(key, undefined, false),
      }),
    );
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

  // ---- internals ----

  /** Read the manifest once (a missing one is fine until the first write). */
  #open(): void {
    if (this.#opened) return;
    this.#hasManifest = (readManifest(this.#layout.manifestPath, this.root)?.version ?? 0) >= FORMAT_VERSION;
    this.#opened = true;
  }

  /** Make sure the root and its manifest exist before the first write. */
  #prepareWrite(): void {
    this.#open();
    if (this.#hasManifest) return;
    try {
      makeDirectory(this.root);
      // A root of format 1 becomes format 2 with this fleche's first write: its older entries are
      // misses (removed when met), and fleches of format 1 then refuse the root instead of deleting
      // entries they cannot read.
      const manifest = existsSync(this.#layout.manifestPath) ? readManifest(this.#layout.manifestPath, this.root) : undefined;
      if (!manifest || manifest.version < FORMAT_VERSION) writeManifest(this.#layout.manifestPath, this.serializer);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "EEXIST" || code === "ENOTDIR" ? "it (or a parent) is a file, not a directory" : (error as Error).message;
      throw new SaveError(`Cannot use ${this.root} as a FileStore root: ${reason}`, { cause: error });
    }
    this.#hasManifest = true;
  }

  /**
   * The first write into a shard directory (per process) also removes, in the background, temporary
   * files that writers killed long ago left there; `verify` does the same for every shard at once.
   */
  #sweep(key: string): void {
    const shard = key.slice(0, 2);
    if (this.#swept.has(shard)) return;
    if (this.#swept.size === 0) void removeStaleTempsAsync(this.root); // large values start at the root
    this.#swept.add(shard);
    void removeStaleTempsAsync(this.#layout.shardOf(key));
  }

  #list(kind: EntryKind, prefix?: string): Iterable<string> {
    this.#open();
    const p = (prefix ?? "").toLowerCase();
    if (!/^[0-9a-f]*$/.test(p)) return [];
    return this.#layout.keys(kind, p);
  }
}
