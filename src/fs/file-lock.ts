/**
 * A cross-process lock: the file `<target>.lock`, created exclusively (O_EXCL) by the holder and removed
 * when it is done. It serialises the writers of one file across processes (the HDF5 store takes it for
 * each shared entry file); readers never take it, because writers replace files by rename, so a reader
 * always sees a complete file.
 *
 * The lock file names its holder (pid, host, process start time, a random token). A waiter removes a
 * lock whose holder is gone: on the same host when the pid no longer runs (or now belongs to a process
 * started at another time: the pid was reused); from another host (shared filesystems) when the lock is
 * older than `staleMs`. Removal happens under a short-lived guard file (`<lock>.break`, itself created
 * with O_EXCL, see `break-guard.ts`) after re-reading the lock, so two waiters never remove a lock that a third process has
 * just taken. The remaining window (a breaker killed while holding the guard, whose guard is then cleared
 * by age) is documented in docs/hdf5-format.md, where the HDF5 store, its first user, describes it.
 */
import { makeDirectory } from "./mkdir.js";
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GUARD_GRACE_MS, breakIfUnchanged } from "./break-guard.js";
import { isRunning, ownStartTime } from "./process-alive.js";

/** Timing of {@link FileLock}. */
export interface LockOptions {
  /** Give up waiting after this long. @default 60_000 */
  readonly timeoutMs?: number;
  /** A lock from another host older than this is abandoned. @default 600_000 */
  readonly staleMs?: number;
}

/** Who holds a lock, as written in the lock file. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  /** Process start time (Linux clock ticks since boot), to tell a reused pid from the holder. */
  readonly start?: string;
  readonly token: string;
  readonly since: number;
}

/** The lock could not be taken in time. */
export class LockTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LockTimeout";
  }
}

/** A lock file that a crashed holder or a half-written lock may have left behind this long is abandoned. */
const UNREADABLE_GRACE_MS = GUARD_GRACE_MS;

const HOST = hostname();

/** One lock file; `acquire` then `release`, or {@link withLock}. */
export class FileLock {
  private token: string | undefined;

  constructor(
    readonly path: string,
    private readonly options: LockOptions = {},
  ) {}

  /** Take the lock if nobody holds it. */
  tryAcquire(): boolean {
    const token = randomBytes(8).toString("hex");
    const holder: Holder = { pid: process.pid, host: HOST, token, since: Date.now(), ...(ownStartTime() ? { start: ownStartTime()! } : {}) };
    let fd: number;
    try {
      fd = openSync(this.path, "wx");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return false;
      if (code !== "ENOENT") throw error;
      makeDirectory(dirname(this.path));
      return this.tryAcquire();
    }
    try {
      writeSync(fd, JSON.stringify(holder));
    } finally {
      closeSync(fd);
    }
    this.token = token;
    return true;
  }

  /** Wait for the lock, removing it when its holder is gone. @throws LockTimeout */
  async acquire(): Promise<void> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 60_000);
    let delay = 1;
    for (;;) {
      if (this.tryAcquire()) return;
      const seen = this.inspect();
      if (seen === "gone") continue;
      if (seen.stale) {
        this.breakStale(seen.content);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new LockTimeout(`Timed out waiting for ${this.path}, held by ${describe(seen.holder)}`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 20);
    }
  }

  /** True while this object holds the lock (nobody removed or replaced it). */
  held(): boolean {
    if (this.token === undefined) return false;
    try {
      return (JSON.parse(readFileSync(this.path, "utf8")) as Holder).token === this.token;
    } catch {
      return false;
    }
  }

  /** Give the lock back (only if it is still ours). */
  release(): void {
    if (this.held()) safeUnlink(this.path);
    this.token = undefined;
  }

  private inspect(): "gone" | { stale: boolean; content: string; holder: Holder | undefined } {
    let content: string;
    let age: number;
    try {
      content = readFileSync(this.path, "utf8");
      age = Date.now() - statSync(this.path).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
      throw error;
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(content) as Holder;
    } catch {
      return { stale: age > UNREADABLE_GRACE_MS, content, holder: undefined };
    }
    if (typeof holder?.pid !== "number" || typeof holder.host !== "string") return { stale: age > UNREADABLE_GRACE_MS, content, holder: undefined };
    const stale = holder.host === HOST ? !isRunning(holder.pid, holder.start) : age > (this.options.staleMs ?? 600_000);
    return { stale, content, holder };
  }

  /** Remove the lock if it still has the content judged stale, under the guard file. */
  private breakStale(staleContent: string): void {
    breakIfUnchanged(this.path, staleContent);
  }
}

/** Run `fn` holding the lock at `path`. */
export async function withLock<T>(path: string, fn: (lock: FileLock) => T, options?: LockOptions): Promise<T> {
  const lock = new FileLock(path, options);
  await lock.acquire();
  try {
    return fn(lock);
  } finally {
    lock.release();
  }
}

function describe(holder: Holder | undefined): string {
  if (!holder) return "an unknown process";
  return `pid ${holder.pid} on ${holder.host} since ${new Date(holder.since).toISOString()}`;
}

function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
