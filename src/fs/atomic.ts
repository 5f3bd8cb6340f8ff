/**
 * Atomic file writes shared by the file-based stores: the bytes go to a unique temporary file in the
 * target's directory, which is then renamed over the target. POSIX rename within a directory is atomic,
 * so readers see the old file or the new one, never a torn one, and two writers of the same key both
 * succeed (the last rename wins, and both wrote the same content-addressed bytes).
 *
 * Temporary files are dot-files named `.<target>.<random>.tmp`; listings skip them, and a writer killed
 * between write and rename leaves one behind that {@link removeStaleTemps} cleans up later.
 *
 * Durability against power loss needs an fsync per write (milliseconds on most disks); it is opt-in
 * (`durable: true`), because a cache can always recompute what a power cut lost.
 */
import { makeDirectory } from "./mkdir.js";
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writevSync } from "node:fs";
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join, sep } from "node:path";

/** Options of the atomic writes. */
export interface AtomicWriteOptions {
  /** fsync the file before the rename (survives power loss; slower). @default false */
  readonly durable?: boolean;
}

const TEMP_SUFFIX = ".tmp";

/**
 * Unique per process: a random token drawn once (so a recycled pid on another machine sharing the
 * directory cannot collide) plus the pid and a counter. Drawing random bytes per write costs microseconds
 * on the hot path; the exclusive create (`wx`) below catches the impossible collision anyway.
 */
let processToken: string | undefined;
let counter = 0;

/** The temporary sibling a write of `path` goes through. */
export function tempPathFor(path: string): string {
  processToken ??= `${randomBytes(4).toString("hex")}${process.pid.toString(36)}`; // drawn at the first write, not at start-up
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf(sep));
  const dir = slash === -1 ? "." : path.slice(0, slash);
  return `${dir}${sep}.${path.slice(slash + 1)}.${processToken}-${(counter++).toString(36)}${TEMP_SUFFIX}`;
}

/** True for names of temporary files (and any other dot-file, which stores never use for entries). */
export function isTempName(name: string): boolean {
  return name.startsWith(".");
}

/** Write `chunks` to `path` atomically, synchronously (for small files on the hot path). */
export function writeFileAtomicSync(path: string, chunks: readonly Uint8Array[], options: AtomicWriteOptions = {}): void {
  const temp = tempPathFor(path);
  let fd: number;
  try {
    fd = openSync(temp, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    makeDirectory(dirname(path));
    fd = openSync(temp, "wx");
  }
  try {
    writeAllSync(fd, chunks);
    if (options.durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    safeUnlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    safeUnlinkSync(temp);
    throw error;
  }
}

/** Write `chunks` to `path` atomically without blocking the event loop (for large files). */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[], options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(path);
  let handle;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true });
    handle = await open(temp, "wx");
  }
  try {
    await writeAll(handle, chunks);
    if (options.durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** Write every chunk with as few system calls as possible (one `writev`), finishing partial writes. */
function writeAllSync(fd: number, chunks: readonly Uint8Array[]): void {
  let pending = chunks.filter((c) => c.byteLength > 0);
  while (pending.length) pending = remainder(pending, writevSync(fd, pending as Uint8Array[]));
}

async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let pending = chunks.filter((c) => c.byteLength > 0);
  while (pending.length) pending = remainder(pending, (await handle.writev(pending as Uint8Array[])).bytesWritten);
}

/** The chunks still to write after `written` bytes went out (writev may stop early, e.g. on signals). */
export function remainder(chunks: readonly Uint8Array[], written: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (written >= chunk.byteLength) {
      written -= chunk.byteLength;
      continue;
    }
    rest.push(written > 0 ? chunk.subarray(written) : chunk);
    written = 0;
  }
  return rest;
}

/**
 * Remove temporary files older than `maxAgeMs` in `dir` (left by writers that were killed); younger
 * ones may belong to a write in progress in another process. Returns how many were removed.
 */
export function removeStaleTemps(dir: string, maxAgeMs = 60_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(".") || !name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs >= maxAgeMs) {
        unlinkSync(path);
        removed++;
      }
    } catch {
      // already gone (another cleaner, or the writer renamed it)
    }
  }
  return removed;
}

/**
 * {@link removeStaleTemps} through the thread pool, for cleaning up in the background of normal writes
 * without blocking the event loop on a large directory. Never rejects.
 */
export async function removeStaleTempsAsync(dir: string, maxAgeMs = 60_000): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(".") || !name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs >= maxAgeMs) {
        await unlink(path);
        removed++;
      }
    } catch {
      // already gone
    }
  }
  return removed;
}

function safeUnlinkSync(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing to clean
  }
}
