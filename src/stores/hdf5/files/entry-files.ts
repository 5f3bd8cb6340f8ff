/**
 * One directory of HDF5 entry files (the values, or the calls, of one store): reading entries through
 * pooled read-only handles, and changing them through entry-writer.ts (new file, check, rename).
 *
 * Writers of a shared prefix file take its lock file (`<name>.lock`, see src/fs/file-lock.ts) for the whole
 * read-copy-check-rename cycle, so concurrent writers in several processes never lose each other's
 * entries. Readers take no lock: files are replaced, never edited, so a reader sees a whole file.
 */
import { existsSync, statSync, utimesSync } from "node:fs";
import { refreshMtime } from "../../../fs/touch.js";
import { basename } from "node:path";
import { CacheMiss } from "../../../errors.js";
import { logger } from "../../../log.js";
import { EntryFileWriter, entryKeys, firstLine, keysOf, unlinkQuietly, type EntryWriter } from "./entry-writer.js";
import { withLock, type LockOptions } from "../../../fs/file-lock.js";
import { isWasmAbort } from "../h5wasm.js";
import { ReadHandles, type OpenFile } from "./handles.js";
import { Layout } from "./layout.js";
import { NodeReader } from "../codec/node-reader.js";
import type { H5File, H5Wasm } from "../h5-subset.js";

export { entryKeys, firstLine, type EntryWriter } from "./entry-writer.js";

/** Reads the entry at `path` (e.g. "/<key>"). */
export type EntryReader<T> = (reader: NodeReader, path: string) => T;

/** What an {@link EntryFiles} is for. */
export interface EntryFilesOptions {
  readonly dir: string;
  readonly prefixLength: number;
  readonly kind: "values" | "calls";
  /** Names the store in messages, e.g. "HDF5 store /data/cache". */
  readonly label: string;
  readonly lock?: LockOptions;
}

/** The files of one directory. */
export class EntryFiles {
  readonly layout: Layout;
  private readonly handles = new ReadHandles();
  /** Keys found damaged on read: the next save of such a key replaces the entry instead of skipping it. */
  private readonly damaged = new Set<string>();
  private readonly writer: EntryFileWriter;
  private checked = false;

  constructor(private readonly options: EntryFilesOptions) {
    this.layout = new Layout(options.dir, options.prefixLength);
    this.writer = new EntryFileWriter({ layout: this.layout, handles: this.handles, kind: options.kind, label: options.label, noun: this.noun });
  }

  /** The entry's value, read by `read`. @throws CacheMiss when absent or unreadable (with a warning). */
  read<T>(h5: H5Wasm, key: string, read: EntryReader<T>): T {
    const path = this.layout.fileOf(key);
    let opened: OpenFile | undefined;
    try {
      opened = this.handles.open(h5, path);
    } catch (error) {
      if (isWasmAbort(error)) throw error;
      // Removed by another process since it was found (its last entry was evicted): absent, not damaged.
      if (!existsSync(path)) throw new CacheMiss(key, `No ${this.noun} ${key} in ${this.options.label}`);
      throw this.unreadable(key, path, `the file cannot be opened (${firstLine(error)})`, error);
    }
    if (opened === undefined) throw new CacheMiss(key, `No ${this.noun} ${key} in ${this.options.label}`);
    try {
      return read(new NodeReader(h5, opened.file.file_id, opened.memo), this.layout.entryPath(key));
    } catch (error) {
      if (isWasmAbort(error)) throw error; // the library failed, not the entry
      if (!this.linked(h5, opened.file, key)) throw new CacheMiss(key, `No ${this.noun} ${key} in ${this.options.label}`);
      this.damaged.add(key);
      throw this.unreadable(key, path, `its entry is damaged (${firstLine(error)})`, error);
    }
  }

  /** True when the entry exists (and is not known to be damaged). */
  has(h5: H5Wasm, key: string): boolean {
    if (this.damaged.has(key)) return false;
    const path = this.layout.fileOf(key);
    if (this.options.prefixLength === 0) return existsSync(path);
    try {
      const file = this.handles.get(h5, path);
      return file !== undefined && this.present(h5, file, key);
    } catch {
      return false; // an unreadable file holds nothing usable
    }
  }

  /**
   * Add the entry. An entry already there is kept, unless `replace` is set or it is known to be damaged.
   */
  async put(h5: H5Wasm, key: string, write: EntryWriter, options: { replace?: boolean } = {}): Promise<void> {
    this.check();
    const path = this.layout.fileOf(key);
    const replace = options.replace === true || this.damaged.has(key);
    if (this.options.prefixLength === 0) this.writer.writeAlone(h5, path, key, write);
    else await this.locked(path, () => this.writer.change(h5, path, { add: [key, write], replace }));
    this.damaged.delete(key);
  }

  /**
   * Keep the entry if it is there, refreshing its file's mtime (gc's "written at", docs/gc.md), else
   * add it; under the file's lock, so a conditional eviction of the same file sees the refresh or
   * removes the entry before it (and then it is added again). Per-key files take a lock too here.
   */
  async putOrTouch(h5: H5Wasm, key: string, write: EntryWriter): Promise<void> {
    this.check();
    const path = this.layout.fileOf(key);
    await this.locked(path, () => {
      if (this.has(h5, key) && refreshMtime(path)) return;
      // Absent, or listed but unreadable: (re)written.
      if (this.options.prefixLength === 0) this.writer.writeAlone(h5, path, key, write);
      else this.writer.change(h5, path, { add: [key, write], replace: true });
    });
    this.damaged.delete(key);
  }

  /** Refresh the mtime of the file holding the entry, under its lock; false when the entry is absent. */
  async touch(h5: H5Wasm, key: string): Promise<boolean> {
    const path = this.layout.fileOf(key);
    return this.locked(path, () => this.has(h5, key) && refreshMtime(path));
  }

  /**
   * Remove the entry unless its file's mtime is after `cutoff`, under the file's lock (atomic with
   * respect to {@link touch} and {@link putOrTouch}). The rebuilt file keeps the old mtime: removing an
   * entry refreshes none of the others, which stay as old as they were. True when it removed the entry.
   */
  async removeIfStale(h5: H5Wasm, key: string, cutoff: number): Promise<boolean> {
    const path = this.layout.fileOf(key);
    this.damaged.delete(key);
    return this.locked(path, () => {
      let mtimeMs: number;
      let atimeMs: number;
      try {
        ({ mtimeMs, atimeMs } = statSync(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw error;
      }
      if (mtimeMs > cutoff) return false;
      if (this.options.prefixLength === 0) {
        this.handles.forget(path);
        unlinkQuietly(path);
        return true;
      }
      if (!(this.keysOf(h5, path) ?? []).includes(key)) return false;
      this.writer.change(h5, path, { remove: key });
      try {
        // Seconds as a double lose up to a microsecond: rounded up, so no neighbour ever looks older than it is.
        utimesSync(path, atimeMs / 1000, mtimeMs / 1000 + 1e-6);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // the last entry: the file is gone
      }
      return true;
    });
  }

  /** Remove the entry; absent entries are a no-op. */
  async remove(h5: H5Wasm, key: string): Promise<void> {
    const path = this.layout.fileOf(key);
    this.damaged.delete(key);
    if (this.options.prefixLength === 0) {
      this.handles.forget(path);
      unlinkQuietly(path);
      return;
    }
    await this.locked(path, () => this.writer.change(h5, path, { remove: key }));
  }

  /** Keys starting with `prefix`, file by file. Unreadable files are skipped with a warning. */
  async *list(h5: () => Promise<H5Wasm>, prefix = ""): AsyncGenerator<string> {
    for (const path of this.layout.files(prefix)) {
      if (this.options.prefixLength === 0) {
        const key = basename(path, ".h5");
        if (key.startsWith(prefix)) yield key;
        continue;
      }
      let keys: string[];
      try {
        const lib = await h5();
        const file = this.handles.get(lib, path);
        keys = file ? entryKeys(lib, file.file_id) : [];
      } catch (error) {
        if (!existsSync(path)) continue; // removed by another process since the directory was read
        logger().warn(`${this.options.label}: skipping ${path}: it cannot be read (${firstLine(error)}). Indicates a corrupt cache.`);
        continue;
      }
      for (const key of keys) if (key.startsWith(prefix)) yield key;
    }
  }

  /** Keys of one file (through the pool), undefined when there is no file. @throws when it cannot be read. */
  keysOf(h5: H5Wasm, path: string): string[] | undefined {
    return keysOf(h5, this.handles, path);
  }

  /** Rewrite a shared file without `drop` (repairs); removes it when nothing is left. */
  async rewriteWithout(h5: H5Wasm, path: string, drop: readonly string[]): Promise<void> {
    await this.locked(path, () => this.writer.change(h5, path, { drop }));
  }

  /** Release every pooled handle. */
  close(): void {
    this.handles.closeAll();
  }

  /** Run a change of the shared file at `path` under its lock. */
  private locked<T>(path: string, change: () => T): Promise<T> {
    return withLock(`${path}.lock`, change, this.options.lock);
  }

  private get noun(): string {
    return this.options.kind === "values" ? "value" : "call";
  }

  /** Refuse to write into a directory laid out with another prefix length (checked once). */
  private check(): void {
    if (this.checked) return;
    this.layout.check("prefix_length");
    this.checked = true;
  }

  private present(h5: H5Wasm, file: H5File, key: string): boolean {
    try {
      return h5.Module.get_type(file.file_id, this.layout.entryPath(key)) >= 0;
    } catch {
      return false;
    }
  }

  /** Whether the file links the entry, without opening it (so a damaged entry still counts as there). */
  private linked(h5: H5Wasm, file: H5File, key: string): boolean {
    try {
      return entryKeys(h5, file.file_id).includes(key);
    } catch {
      return true; // the root group itself is unreadable: report the damage
    }
  }

  private unreadable(key: string, path: string, why: string, cause: unknown): CacheMiss {
    logger().warn(`${this.options.label}: ${this.noun} ${key} in ${path} is treated as a miss: ${why}`);
    return new CacheMiss(key, `${this.noun} ${key} in ${path} cannot be read: ${why}`, { cause });
  }
}
