/**
 * The value side of a FileStore: values as entry files (`root/ab/<key>`) in an envelope (`value-files.ts`
 * reads and writes one file), containers split into content-addressed entries (`../destructure.ts`) and
 * assembled again on load, large binary values written while they are hashed. A value already stored is
 * touched with its parts instead of written (docs/gc.md); an unusable entry is a miss, reported and
 * removed so the recomputed value takes its place.
 */
import { existsSync, statSync } from "node:fs";
import { CacheMiss, SaveError } from "../../errors.js";
import { digest } from "../../digest/index.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { beginWrite } from "../../fs/deferred-write.js";
import type { Serializer } from "../../serializers/types.js";
import { isFullKey } from "../keys.js";
import { KnownParts, planEntries, type PlannedEntry } from "../destructure.js";
import { touchTree } from "../touch-tree.js";
import type { RawEntries } from "../types.js";
import type { Header } from "../envelope/envelope.js";
import { materialize, type Chain } from "../envelope/materialize.js";
import type { EntryCodec } from "../envelope/codec.js";
import { removeEntry } from "./file-io.js";
import { evictFileIfStale, tombOf, touchFile } from "./touch.js";
import { Corrupt, ValueFiles, writeError, type LargeRaw } from "./value-files.js";
import type { FileStoreRoot } from "./store-root.js";

/** How containers are split into entries (see docs/stores.md). */
export interface SplitOptions {
  readonly remainingDepth: number;
  readonly minPartSize: number;
}

/** The values under one FileStore root. */
export class FileStoreValues {
  /** Reads and writes single entry files. */
  readonly files: ValueFiles;
  /** Objects this store wrote as entries: found again inside a later value, they are referred to. */
  readonly #known = new KnownParts();

  constructor(
    private readonly root: FileStoreRoot,
    private readonly codec: EntryCodec,
    private readonly serializer: Serializer,
    private readonly split: SplitOptions,
  ) {
    this.files = new ValueFiles(codec);
  }

  save(value: unknown, key?: string): MaybePromise<string> {
    if (key !== undefined && !isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.root.path} under '${key}': keys are 64 lowercase hex digits`);
    if (key === undefined) {
      const large = this.files.largeRaw(value);
      if (large) return this.#saveLargeRaw(value, large);
    }
    const k = key ?? digest(value);
    if (!this.serializer.ready) return this.serializer.load().then(() => this.save(value, k));
    this.root.prepareWrite();
    const entries = planEntries(value, k, { ...this.split, known: this.#known });
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
    this.root.prepareWrite();
    let pending;
    try {
      pending = beginWrite(this.root.path, large.chunks);
    } catch (error) {
      throw writeError(this.root.path, error);
    }
    let key: string;
    try {
      key = digest(value);
    } catch (error) {
      await pending.discard();
      throw error;
    }
    const path = this.root.layout.valuePath(key);
    if (await this.#touch(key, false)) {
      await pending.discard();
      return key;
    }
    try {
      await pending.commit(path, large.check(key));
    } catch (error) {
      throw writeError(path, error);
    }
    this.root.sweep(key);
    return key;
  }

  /**
   * Write entries from `i` on, children first; a part already stored (same content) is touched instead.
   * The last entry is the value itself, which the caller found absent.
   */
  #writeEntries(entries: readonly PlannedEntry[], i: number, key: string): MaybePromise<string> {
    for (; i < entries.length; i++) {
      const { key: entryKey, node } = entries[i]!;
      const path = this.root.layout.valuePath(entryKey);
      if (i < entries.length - 1) {
        const kept = this.#touch(entryKey, false);
        if (isPromise(kept)) {
          const at = i;
          return kept.then((ok) => (ok ? this.#writeEntries(entries, at + 1, key) : this.#writeEntry(entries, at, key)));
        }
        if (kept) continue;
      }
      const written = this.files.write(entryKey, path, node);
      this.root.sweep(entryKey);
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
    const written = this.files.write(entryKey, this.root.layout.valuePath(entryKey), node);
    this.root.sweep(entryKey);
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
        const path = this.root.layout.valuePath(k);
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
    const path = this.root.layout.valuePath(key);
    const attempt = (at: string, next: (() => MaybePromise<Header>) | undefined): MaybePromise<Header> => {
      const retry = (error: unknown): MaybePromise<Header> => {
        if (next && error instanceof CacheMiss) return next();
        throw error;
      };
      try {
        const header = this.files.readHeader(key, at);
        return isPromise(header) ? header.catch(retry) : header;
      } catch (error) {
        return retry(error);
      }
    };
    return attempt(path, () => attempt(tombOf(path), () => attempt(path, undefined)));
  }

  load(key: string): MaybePromise<unknown> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    this.root.open();
    return this.#load(key, undefined, true);
  }

  /** Load `key` for `verify`: an unusable entry's problem is thrown as it is, and nothing is removed. */
  loadUnreported(key: string): MaybePromise<unknown> {
    return this.#load(key, undefined, false);
  }

  /**
   * Load `key`, a part of the entries in `chain` (its ancestors, innermost first) when it has any. With
   * `report`, an unusable entry is reported, removed and a miss; without (for `verify`), its problem is
   * thrown as it is and nothing is removed.
   */
  #load(key: string, chain: Chain | undefined, report: boolean): MaybePromise<unknown> {
    const path = this.root.layout.valuePath(key);
    try {
      const file = this.files.read(key, path);
      const decoded = isPromise(file) ? file.then((f) => this.files.decode(f)) : this.files.decode(file);
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
    this.root.discard(path, error);
    throw new CacheMiss(key, `Value ${key} in ${this.root.path} is unusable: ${error.message}`, { cause: error });
  }

  contains(key: string): boolean {
    if (!isFullKey(key)) return false;
    this.root.open();
    const path = this.root.layout.valuePath(key);
    // A value a conditional eviction holds aside is stored until the eviction decides (touch.ts): a
    // reference check must not take that moment for a dangling reference and remove the record.
    return existsSync(path) || existsSync(tombOf(path));
  }

  evict(key: string): void {
    if (!isFullKey(key)) return;
    this.root.open();
    removeEntry(this.root.layout.valuePath(key));
  }

  /** Refresh the value's mtime and its parts', taking back an entry a conditional eviction holds aside. */
  touch(key: string): MaybePromise<boolean> {
    if (!isFullKey(key)) return false;
    this.root.open();
    return this.#touch(key, true);
  }

  /** Remove the value file unless it was written or touched after `cutoff` (see touch.ts). */
  evictIfStale(key: string, cutoff: number): boolean {
    if (!isFullKey(key)) return false;
    this.root.open();
    return evictFileIfStale(this.root.layout.valuePath(key), cutoff);
  }

  /** When the value file was written or last touched (its mtime). */
  writtenAt(key: string): number | undefined {
    if (!isFullKey(key)) return undefined;
    try {
      return statSync(this.root.layout.valuePath(key)).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /** Value files as their bytes: a transfer to or from another store of the same envelope copies them as they are. */
  readonly rawEntries: RawEntries = {
    read: (key) => {
      if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
      this.root.open();
      return this.files.readBytes(key, this.root.layout.valuePath(key));
    },
    write: (key, bytes) => {
      if (!isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.root.path} under '${key}': keys are 64 lowercase hex digits`);
      try {
        this.codec.verify(key, bytes);
      } catch (error) {
        if (error instanceof Corrupt) return false;
        throw error;
      }
      this.root.prepareWrite();
      const written = this.files.writeBytes(this.root.layout.valuePath(key), [bytes]);
      this.root.sweep(key);
      return isPromise(written) ? written.then(() => true) : true;
    },
  };

  /** The keys of the entries `key` is assembled from (read from its header, never deserialized). */
  childDigests(key: string): MaybePromise<readonly string[]> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    this.root.open();
    const path = this.root.layout.valuePath(key);
    try {
      const header = this.#header(key);
      return isPromise(header)
        ? header.then((h) => h.c ?? [], (error: unknown) => this.#unusable(key, path, error))
        : (header.c ?? []);
    } catch (error) {
      return this.#unusable(key, path, error);
    }
  }
}
