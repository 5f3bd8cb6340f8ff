/**
 * One directory of HDF5 entry files (the values, or the calls, of one store): reading entries through
 * pooled read-only handles, and changing files so that no reader and no crash ever sees a torn file.
 *
 * Every change writes a new file next to the old one (`.<name>.<random>.tmp`), checks it by reopening it
 * and listing its entries, and renames it over the old one:
 * - adding to a shared prefix file copies the file (a reflink where the filesystem has them) and appends
 *   the entry to the copy;
 * - removing or replacing an entry rebuilds the file from the other entries (h5wasm cannot delete a link),
 *   dropping entries that cannot be read any more, with a warning;
 * - a per-key file (prefix length 0) is written whole.
 * Writers of a shared file take its lock file (`<name>.lock`, see file-lock.ts) for the whole
 * read-copy-rename cycle, so concurrent writers in several processes never lose each other's entries.
 * A file that cannot be opened at all is moved aside (`<name>.damaged-<time>`) by the next writer.
 */
import { copyFileSync, constants, existsSync, mkdirSync, renameSync, unlinkSync } from "node:fs";
import { basename, dirname } from "node:path";
import { CacheMiss } from "../../errors.js";
import { logger } from "../../log.js";
import { tempPathFor } from "../../fs/atomic.js";
import { isFullKey } from "../keys.js";
import { Attr, FORMAT_VERSION } from "./format.js";
import { copyNode, Uncopyable } from "./copy-tree.js";
import { withLock, type LockOptions } from "./file-lock.js";
import { ReadHandles } from "./handles.js";
import { Layout } from "./layout.js";
import { NodeReader } from "./node-reader.js";
import type { H5File, H5Group, H5Wasm } from "./h5-subset.js";

/** Writes one entry as the member `name` of `parent`. */
export type EntryWriter = (parent: H5Group, name: string) => void;

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

/** The HDF5 format bounds fleche writes: readable by HDF5 ≥ 1.10 (h5py, Debian's hdf5-tools), with metadata checksums. */
const LIBVER = "v110";

/** The files of one directory. */
export class EntryFiles {
  readonly layout: Layout;
  private readonly handles = new ReadHandles();
  /** Keys found damaged on read: the next save of such a key replaces the entry instead of skipping it. */
  private readonly damaged = new Set<string>();
  private checked = false;

  constructor(private readonly options: EntryFilesOptions) {
    this.layout = new Layout(options.dir, options.prefixLength);
  }

  /** The entry's value, read by `read`. @throws CacheMiss when absent or unreadable (with a warning). */
  read<T>(h5: H5Wasm, key: string, read: EntryReader<T>): T {
    const path = this.layout.fileOf(key);
    let file: H5File | undefined;
    try {
      file = this.handles.get(h5, path);
    } catch (error) {
      throw this.unreadable(key, path, `the file cannot be opened (${firstLine(error)})`, error);
    }
    if (file === undefined) throw new CacheMiss(key, `No ${this.noun} ${key} in ${this.options.label}`);
    try {
      return read(new NodeReader(h5, file.file_id), this.layout.entryPath(key));
    } catch (error) {
      if (!this.linked(h5, file, key)) throw new CacheMiss(key, `No ${this.noun} ${key} in ${this.options.label}`);
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
    if (this.options.prefixLength === 0) this.writeAlone(h5, path, key, write);
    else await withLock(`${path}.lock`, () => this.change(h5, path, { add: [key, write], replace }), this.options.lock);
    this.damaged.delete(key);
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
    await withLock(`${path}.lock`, () => this.change(h5, path, { remove: key }), this.options.lock);
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
        logger().warn(`${this.options.label}: skipping ${path}: it cannot be read (${firstLine(error)}). Indicates a corrupt cache.`);
        continue;
      }
      for (const key of keys) if (key.startsWith(prefix)) yield key;
    }
  }

  /** Keys of one file (through the pool), undefined when there is no file. @throws when it cannot be read. */
  keysOf(h5: H5Wasm, path: string): string[] | undefined {
    const file = this.handles.get(h5, path);
    return file ? entryKeys(h5, file.file_id) : undefined;
  }

  /** Rewrite a shared file without `drop` (repairs); removes it when nothing is left. */
  async rewriteWithout(h5: H5Wasm, path: string, drop: readonly string[]): Promise<void> {
    await withLock(`${path}.lock`, () => this.change(h5, path, { drop }), this.options.lock);
  }

  /** Release every pooled handle. */
  close(): void {
    this.handles.closeAll();
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

  /** A per-key file: written whole to a temporary sibling, checked, renamed. No lock is needed. */
  private writeAlone(h5: H5Wasm, path: string, key: string, write: EntryWriter): void {
    mkdirSync(dirname(path), { recursive: true });
    const temp = tempPathFor(path);
    try {
      this.fill(this.create(h5, temp), (file) => write(file, key));
      this.verify(h5, temp, [key]);
      renameSync(temp, path);
    } catch (error) {
      unlinkQuietly(temp);
      throw error;
    } finally {
      this.handles.forget(path);
    }
  }

  /** One change of a shared file, under its lock: add an entry (replacing it if asked), or drop some. */
  private change(h5: H5Wasm, path: string, change: { add?: [string, EntryWriter]; replace?: boolean; remove?: string; drop?: readonly string[] }): void {
    const current = this.currentKeys(h5, path);
    const removing = new Set([...(change.drop ?? []), ...(change.remove === undefined ? [] : [change.remove])]);
    const add = change.add;
    if (add !== undefined) {
      if (current?.includes(add[0]) && !change.replace) return; // another writer was first
      if (change.replace) removing.add(add[0]);
    }
    const kept = (current ?? []).filter((key) => !removing.has(key));
    if (add === undefined) {
      if (current === undefined || kept.length === current.length) return; // nothing to remove
      if (kept.length === 0) {
        this.handles.forget(path);
        unlinkQuietly(path);
        return;
      }
    }
    mkdirSync(dirname(path), { recursive: true });
    const temp = tempPathFor(path);
    try {
      let expected: string[];
      if (current !== undefined && add !== undefined && kept.length === current.length) {
        // Appending: copy the file as it is (a reflink where possible) and add the entry to the copy.
        copyFileSync(path, temp, constants.COPYFILE_FICLONE);
        this.fill(new h5.File(temp, "a", { libver: LIBVER }), (file) => add[1](file, add[0]));
        expected = [...kept, add[0]];
      } else {
        expected = [];
        this.fill(this.create(h5, temp), (file) => {
          expected.push(...this.copyEntries(h5, path, kept, file));
          if (add !== undefined) {
            add[1](file, add[0]);
            expected.push(add[0]);
          }
        });
      }
      this.verify(h5, temp, expected);
      renameSync(temp, path);
    } catch (error) {
      unlinkQuietly(temp);
      throw error;
    } finally {
      this.handles.forget(path);
    }
  }

  /** Keys in the file now, undefined when there is no file; a file that cannot be read is moved aside. */
  private currentKeys(h5: H5Wasm, path: string): string[] | undefined {
    try {
      return this.keysOf(h5, path);
    } catch (error) {
      this.handles.forget(path);
      const aside = `${path}.damaged-${Date.now()}`;
      try {
        renameSync(path, aside);
      } catch (renameError) {
        if ((renameError as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw renameError;
      }
      logger().warn(`${this.options.label}: ${path} cannot be opened (${firstLine(error)}); moved it to ${aside} and starting a new file`);
      return undefined;
    }
  }

  /** Copy `keys` from the file at `path` into `to`; entries that cannot be read are dropped with a warning. */
  private copyEntries(h5: H5Wasm, path: string, keys: readonly string[], to: H5Group): string[] {
    const from = this.handles.get(h5, path);
    if (from === undefined) return [];
    const copied: string[] = [];
    for (const key of keys) {
      try {
        copyNode(h5, from.file_id, this.layout.entryPath(key), to, key);
        copied.push(key);
      } catch (error) {
        if (error instanceof Uncopyable) {
          throw new Error(`${path} cannot be rewritten without losing ${this.noun} ${key}, written by another tool: ${error.message}`);
        }
        logger().warn(`${this.options.label}: dropping ${this.noun} ${key} from ${path}: it cannot be read (${firstLine(error)})`);
      }
    }
    return copied;
  }

  /** A new, empty entry file with the root attributes. */
  private create(h5: H5Wasm, path: string): H5File {
    const file = new h5.File(path, "w", { libver: LIBVER });
    try {
      file.create_attribute(Attr.format, FORMAT_VERSION, [], "<i");
      file.create_attribute(Attr.kind, this.options.kind);
    } catch (error) {
      file.close();
      throw error;
    }
    return file;
  }

  /** Run `fill` on an open file and close it, also when `fill` throws. */
  private fill(file: H5File, fill: (file: H5File) => void): void {
    try {
      fill(file);
    } finally {
      file.close();
    }
  }

  /** Reopen a freshly written file and check that it lists exactly the expected entries. */
  private verify(h5: H5Wasm, path: string, expected: readonly string[]): void {
    const file = new h5.File(path, "r");
    let found: string[];
    try {
      found = entryKeys(h5, file.file_id);
    } finally {
      file.close();
    }
    const want = new Set(expected);
    if (found.length !== want.size || !found.every((key) => want.has(key))) {
      throw new Error(`the new ${basename(path)} lists ${found.length} entries instead of the ${want.size} written`);
    }
  }
}

/** The entry keys at the root of an open file (other root members are ignored). */
export function entryKeys(h5: H5Wasm, fileId: bigint): string[] {
  return h5.Module.get_names(fileId, "/", false).filter(isFullKey);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** The gist of an error: for an HDF5 error stack, its innermost frame and cause. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  // HDF5 error stacks end with the root cause; h5wasm puts the outermost call first.
  const cause = lines.filter((l) => /minor:/.test(l)).pop();
  const last = lines.filter((l) => /^#\d+:/.test(l)).pop();
  return last ? `${last.replace(/^#\d+: \S+ line \d+ in /, "")}${cause ? ` (${cause.replace("minor: ", "")})` : ""}` : lines[0] ?? "unknown error";
}
