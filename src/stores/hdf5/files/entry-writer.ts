/**
 * Changing entry files without ever leaving a torn one. Every change writes a new file next to the old
 * one (`.<name>.<random>.tmp`), reopens it to check that it lists exactly the expected entries, and
 * renames it over the old one (POSIX rename is atomic: readers see the old file or the new one):
 * - adding to a shared prefix file copies the file (a reflink where the filesystem has them) and appends
 *   the entry to the copy;
 * - removing or replacing an entry rebuilds the file from the other entries (h5wasm cannot delete a link),
 *   dropping entries that cannot be read any more, with a warning;
 * - a per-key file (prefix length 0) is written whole.
 * Changes of a shared file must run under its lock (see entry-files.ts); a file that cannot be opened at
 * all is moved aside (`<name>.damaged-<time>`) and a new one started.
 */
import { makeDirectory } from "../../../fs/mkdir.js";
import { copyFileSync, constants, renameSync, unlinkSync } from "node:fs";
import { basename, dirname } from "node:path";
import { logger } from "../../../log.js";
import { tempPathFor } from "../../../fs/atomic.js";
import { isFullKey } from "../../keys.js";
import { Attr, FORMAT_VERSION } from "../codec/format.js";
import { copyNode, Uncopyable } from "./copy-tree.js";
import { isWasmAbort } from "../h5wasm.js";
import type { ReadHandles } from "./handles.js";
import type { Layout } from "./layout.js";
import type { H5File, H5Group, H5Wasm } from "../h5-subset.js";

/** Writes one entry as the member `name` of `parent`. */
export type EntryWriter = (parent: H5Group, name: string) => void;

/** One change of a shared file. */
export interface Change {
  /** An entry to add (kept as it is when already there, unless `replace`). */
  readonly add?: readonly [key: string, write: EntryWriter];
  readonly replace?: boolean;
  /** An entry to remove. */
  readonly remove?: string;
  /** Entries to drop (repairs). */
  readonly drop?: readonly string[];
}

/** What the writer needs to know about the directory it writes in. */
export interface WriterContext {
  readonly layout: Layout;
  readonly handles: ReadHandles;
  readonly kind: "values" | "calls";
  /** Names the store in messages. */
  readonly label: string;
  /** "value" or "call", for messages. */
  readonly noun: string;
}

/** The HDF5 format bounds fleche writes: readable by HDF5 ≥ 1.10 (h5py, Debian's hdf5-tools), with metadata checksums. */
const LIBVER = "v110";

/** Writes the entry files of one directory. */
export class EntryFileWriter {
  constructor(private readonly context: WriterContext) {}

  /** A per-key file: written whole to a temporary sibling, checked, renamed. No lock is needed. */
  writeAlone(h5: H5Wasm, path: string, key: string, write: EntryWriter): void {
    this.#replace(h5, path, (temp) => {
      this.fill(this.create(h5, temp), (file) => write(file, key));
      return [key];
    });
  }

  /** One change of a shared file, under its lock: add an entry (replacing it if asked), or drop some. */
  change(h5: H5Wasm, path: string, change: Change): void {
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
        this.context.handles.forget(path);
        unlinkQuietly(path);
        return;
      }
    }
    this.#replace(h5, path, (temp) => {
      const appending = current !== undefined && add !== undefined && kept.length === current.length;
      return (appending && this.append(h5, path, temp, kept, add)) || this.rebuild(h5, path, temp, kept, add);
    });
  }

  /**
   * Replace `path` by a new file: `build` writes a temporary sibling and says which keys it must hold;
   * the copy is checked, then renamed over `path`. Readers see the old file or the new one, never a torn one.
   */
  #replace(h5: H5Wasm, path: string, build: (temp: string) => readonly string[]): void {
    makeDirectory(dirname(path));
    const temp = tempPathFor(path);
    try {
      this.verify(h5, temp, build(temp));
      renameSync(temp, path);
    } catch (error) {
      unlinkQuietly(temp);
      throw error;
    } finally {
      this.context.handles.forget(path);
    }
  }

  /**
   * Copy the file as it is (a reflink where possible) and add the entry to the copy. Returns the entries
   * of the new file, or undefined when HDF5 cannot open the copy for writing (damaged metadata that
   * reading did not touch): then the file is rebuilt from its readable entries instead.
   */
  private append(h5: H5Wasm, path: string, temp: string, kept: readonly string[], [key, write]: readonly [string, EntryWriter]): string[] | undefined {
    copyFileSync(path, temp, constants.COPYFILE_FICLONE);
    let file: H5File;
    try {
      file = new h5.File(temp, "a", { libver: LIBVER });
    } catch (error) {
      if (isWasmAbort(error)) throw error;
      logger().warn(`${this.context.label}: cannot open a copy of ${path} for writing (${firstLine(error)}); rebuilding it from its readable entries`);
      unlinkQuietly(temp);
      return undefined;
    }
    this.fill(file, (f) => write(f, key));
    return [...kept, key];
  }

  /** Write a new file with the `kept` entries copied across (unreadable ones dropped) and `add`. */
  private rebuild(h5: H5Wasm, path: string, temp: string, kept: readonly string[], add: Change["add"]): string[] {
    const expected: string[] = [];
    this.fill(this.create(h5, temp), (file) => {
      expected.push(...this.copyEntries(h5, path, kept, file));
      if (add !== undefined) {
        add[1](file, add[0]);
        expected.push(add[0]);
      }
    });
    return expected;
  }

  /** Keys in the file now, undefined when there is no file; a file that cannot be read is moved aside. */
  private currentKeys(h5: H5Wasm, path: string): string[] | undefined {
    try {
      return keysOf(h5, this.context.handles, path);
    } catch (error) {
      // Only a file HDF5 cannot open is moved aside, not one the filesystem refused or an aborted instance.
      if (isWasmAbort(error) || (error as NodeJS.ErrnoException).code !== undefined) throw error;
      this.context.handles.forget(path);
      const aside = `${path}.damaged-${Date.now()}`;
      try {
        renameSync(path, aside);
      } catch (renameError) {
        if ((renameError as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw renameError;
      }
      logger().warn(`${this.context.label}: ${path} cannot be opened (${firstLine(error)}); moved it to ${aside} and starting a new file`);
      return undefined;
    }
  }

  /** Copy `keys` from the file at `path` into `to`; entries that cannot be read are dropped with a warning. */
  private copyEntries(h5: H5Wasm, path: string, keys: readonly string[], to: H5Group): string[] {
    const from = this.context.handles.get(h5, path);
    if (from === undefined) return [];
    const copied: string[] = [];
    for (const key of keys) {
      try {
        copyNode(h5, from.file_id, this.context.layout.entryPath(key), to, key);
        copied.push(key);
      } catch (error) {
        if (isWasmAbort(error)) throw error;
        if (error instanceof Uncopyable) {
          throw new Error(`${path} cannot be rewritten without losing ${this.context.noun} ${key}, written by another tool: ${error.message}`);
        }
        logger().warn(`${this.context.label}: dropping ${this.context.noun} ${key} from ${path}: it cannot be read (${firstLine(error)})`);
      }
    }
    return copied;
  }

  /** A new, empty entry file with the root attributes. */
  private create(h5: H5Wasm, path: string): H5File {
    const file = new h5.File(path, "w", { libver: LIBVER });
    try {
      file.create_attribute(Attr.format, FORMAT_VERSION, [], "<i");
      file.create_attribute(Attr.kind, this.context.kind);
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

/** Keys of one file (through the pool), undefined when there is no file. @throws when it cannot be read. */
export function keysOf(h5: H5Wasm, handles: ReadHandles, path: string): string[] | undefined {
  const file = handles.get(h5, path);
  return file ? entryKeys(h5, file.file_id) : undefined;
}

/** The entry keys at the root of an open file (other root members are ignored). */
export function entryKeys(h5: H5Wasm, fileId: bigint): string[] {
  return h5.Module.get_names(fileId, "/", false).filter(isFullKey);
}

/** Remove a file if it is there. */
export function unlinkQuietly(path: string): void {
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
