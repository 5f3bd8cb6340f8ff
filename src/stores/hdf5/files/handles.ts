/**
 * A small pool of read-only HDF5 file handles. Opening an HDF5 file costs a few hundred microseconds
 * (the superblock, the root group, the metadata cache); a hit should not pay that every time.
 *
 * A pooled handle is used only while the file at that path is still the same file: every use stats the
 * path and compares inode, size and times. Writers never modify a file in place (they rename a new one
 * over it), so a changed path means a new inode, and the stale handle is closed and the file reopened.
 * A handle on a replaced file keeps reading the complete old version until then, never a torn one.
 */
import { statSync, type Stats } from "node:fs";
import type { H5File, H5Wasm } from "../h5-subset.js";
import type { StructureMemo } from "../codec/node-reader.js";

/** Handles kept open at most (each holds one file descriptor). */
const POOL_SIZE = 16;

interface Pooled {
  readonly file: H5File;
  readonly h5: H5Wasm;
  readonly identity: string;
  /** What readers learned about this (unchanging) file's structure; dropped with the handle. */
  readonly memo: StructureMemo;
}

/** An open file and the structure memo that lives as long as its handle. */
export interface OpenFile {
  readonly file: H5File;
  readonly memo: StructureMemo;
}

/** Open read-only handles by path, most recently used last. */
export class ReadHandles {
  private readonly pool = new Map<string, Pooled>();

  /**
   * An open handle on the current file at `path`, or undefined when there is no file.
   * @throws whatever HDF5 throws when the file cannot be opened (damaged, not HDF5).
   */
  get(h5: H5Wasm, path: string): H5File | undefined {
    return this.open(h5, path)?.file;
  }

  /** As {@link get}, with the handle's structure memo. */
  open(h5: H5Wasm, path: string): OpenFile | undefined {
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      this.forget(path);
      return undefined;
    }
    const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    const pooled = this.pool.get(path);
    if (pooled !== undefined) {
      this.pool.delete(path);
      if (pooled.identity === identity && pooled.h5 === h5) {
        this.pool.set(path, pooled);
        return pooled;
      }
      close(pooled);
    }
    const opened: Pooled = { file: new h5.File(path, "r"), h5, identity, memo: new Map() };
    this.pool.set(path, opened);
    if (this.pool.size > POOL_SIZE) this.forget(this.pool.keys().next().value!);
    return opened;
  }

  /** Close the handle on `path`, if any (after this process replaced or removed the file). */
  forget(path: string): void {
    const pooled = this.pool.get(path);
    if (pooled === undefined) return;
    this.pool.delete(path);
    close(pooled);
  }

  /** Close every handle. */
  closeAll(): void {
    for (const path of [...this.pool.keys()]) this.forget(path);
  }
}

function close(pooled: Pooled): void {
  try {
    pooled.file.close();
  } catch {
    // a handle of an aborted wasm instance, or already closed: nothing left to release
  }
}
