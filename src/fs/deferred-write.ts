/**
 * An atomic write whose destination is decided after the bytes are on their way. A content-addressed
 * store learns a large value's key only by hashing it (about 60 ms per 100 MB); starting the write to a
 * temporary file first lets the thread pool write while the main thread hashes, and a rename then puts
 * the file where the key says.
 */
import { makeDirectory } from "./mkdir.js";
import { closeSync, openSync, renameSync, unlinkSync, writeSync, writev } from "node:fs";
import { dirname, join } from "node:path";
import { remainder, tempPathFor } from "./atomic.js";

/** A write in progress to a temporary file. */
export interface DeferredWrite {
  /**
   * Wait for the bytes, then rename the file to `path` (creating its directory). `patch` overwrites
   * bytes written earlier (a check value that depends on the destination) before the rename.
   */
  commit(path: string, patch?: { readonly offset: number; readonly bytes: Uint8Array }): Promise<void>;
  /** Wait for the bytes, then remove the file (the destination already has them). */
  discard(): Promise<void>;
}

/**
 * Start writing `chunks` to a new temporary file in `dir` (created if missing). The bytes go out in one
 * thread-pool request, so the write proceeds while the caller keeps the main thread busy.
 */
export function beginWrite(dir: string, chunks: readonly Uint8Array[]): DeferredWrite {
  const temp = tempPathFor(join(dir, "incoming"));
  let fd: number;
  try {
    fd = openSync(temp, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    makeDirectory(dir);
    fd = openSync(temp, "wx");
  }
  const written = writeAll(fd, chunks.filter((c) => c.byteLength > 0));
  written.catch(() => {}); // the error is reported by commit()
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  const remove = () => {
    close();
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  };
  return {
    async commit(path: string, patch?: { readonly offset: number; readonly bytes: Uint8Array }) {
      try {
        await written;
        if (patch) writeSync(fd, patch.bytes, 0, patch.bytes.byteLength, patch.offset);
        close();
        try {
          renameSync(temp, path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          makeDirectory(dirname(path));
          renameSync(temp, path);
        }
      } catch (error) {
        remove();
        throw error;
      }
    },
    async discard() {
      await written.catch(() => {});
      remove();
    },
  };
}

function writeAll(fd: number, chunks: Uint8Array[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (pending: Uint8Array[]) => {
      if (pending.length === 0) return resolve();
      writev(fd, pending, (error, written) => (error ? reject(error) : next(remainder(pending, written))));
    };
    next(chunks);
  });
}
