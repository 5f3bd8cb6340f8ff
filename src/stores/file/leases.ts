/**
 * Leases of a file store: the file `root/<shard>/<key>.lease` next to the record, created exclusively
 * (O_EXCL, which local filesystems and NFSv3+ honour) by the process that computes the call. It holds
 * one line of JSON: `{"host","pid","token","since","expires"}` (milliseconds since the epoch, the
 * writer's clock).
 *
 * - **acquire** creates the file (as a hard link to a slot file, `lease-slots.ts`: a few microseconds
 *   instead of a new inode's hundred); when it exists and has lapsed, the abandoned file is removed under its
 *   break guard (`fs/break-guard.ts`: only if it still holds the bytes judged abandoned) and the create
 *   is tried again, so of several processes taking over one lease exactly one creates the new file.
 * - **renew** rewrites the file (atomically, by rename) under the same guard, after checking the token:
 *   a renewal can never overwrite a lease another process took over.
 * - **release** removes the file if the token is still ours: directly while the lease is well within
 *   its time (nobody may remove it then), under the guard otherwise.
 *
 * Clocks: a lease counts as lapsed when the reader's clock is past `expires` plus
 * {@link SKEW_TOLERANCE_MS} (5 s), so machines whose clocks differ by up to 5 s never take a live lease
 * from each other. On the holder's own host a lease also counts as lapsed as soon as its holder's process
 * is gone (`fs/process-alive.ts`: the pid no longer runs, or runs another process), so a crash there is
 * taken over at the next poll instead of after the ttl. A file that cannot be parsed (being written, or left half-written by a killed
 * process) counts as live until its mtime is {@link GUARD_GRACE_MS} (10 s) old.
 */
import { readFileSync, statSync, unlinkSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { FlecheError } from "../../errors.js";
import { writeFileAtomicSync } from "../../fs/atomic.js";
import { GUARD_GRACE_MS, breakIfUnchanged, withBreakGuard } from "../../fs/break-guard.js";
import { isFullKey } from "../keys.js";
import { isRunning, ownStartTime } from "../../fs/process-alive.js";
import { hostname } from "node:os";
import type { LeaseAttempt, LeaseInfo, LeaseOwner, Leases } from "../leases.js";
import type { Layout } from "./layout.js";
import { LeaseSlots, type Slot } from "./lease-slots.js";

/** How far apart the clocks of machines sharing a file store may be without a live lease being taken over. */
export const SKEW_TOLERANCE_MS = 5_000;

/** A release this long before the lease's expiry needs no guard: no process may remove the lease yet. */
const RELEASE_MARGIN_MS = 1_000;

/** How often a renewal or a late release retries a busy guard (held for microseconds), 2 ms apart. */
const GUARD_RETRIES = 250;

/** What a lease file holds. */
interface LeaseFile {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly since: number;
  readonly expires: number;
  /** The holder's start time (Linux, `/proc/<pid>/stat`), written when the holder is this process. */
  readonly start?: string;
}

/** A lease file as read: its bytes, what they say (when they parse) and whether it has lapsed. */
interface Seen {
  readonly content: string;
  readonly file: LeaseFile | undefined;
  readonly expired: boolean;
}

/** The leases of one file store. */
export class FileLeases implements Leases {
  readonly #layout: Layout;
  readonly #slots: LeaseSlots;
  /** The leases this object granted, by key and owner token: their expiry and the inode of their file (to release them without the guard). */
  readonly #held = new Map<string, { readonly expires: number; readonly ino: number; readonly slot: Slot | undefined }>();

  constructor(layout: Layout) {
    this.#layout = layout;
    this.#slots = new LeaseSlots(layout.root);
  }

  acquire(key: string, owner: LeaseOwner, ttlMs: number): LeaseAttempt {
    const path = this.#path(key);
    for (let attempt = 0; attempt < 4; attempt++) {
      const now = Date.now();
      const expires = now + ttlMs;
      const start = owner.pid === process.pid && owner.host === localHost() ? ownStartTime() : undefined;
      const made = this.#slots.create(path, encode({ host: owner.host, pid: owner.pid, token: owner.token, since: now, expires, ...(start ? { start } : {}) }));
      if (made !== undefined) {
        this.#held.set(heldKey(key, owner), { expires, ...made });
        return { acquired: true };
      }
      const seen = inspect(path);
      if (seen === undefined) continue; // released meanwhile: create again
      if (!seen.expired) return seen.file ? { acquired: false, holder: infoOf(key, seen.file, false) } : { acquired: false };
      breakIfUnchanged(path, seen.content); // whoever removes it, the create below has one winner
    }
    return { acquired: false };
  }

  async renew(key: string, owner: LeaseOwner, ttlMs: number): Promise<boolean> {
    const path = this.#path(key);
    const renewed = await guarded(path, () => {
      const seen = inspect(path);
      if (seen?.file?.token !== owner.token) return false;
      const expires = Date.now() + ttlMs;
      writeFileAtomicSync(path, [Buffer.from(encode({ ...seen.file, expires }))]);
      // The rename replaced the slot's link: the slot is free, the lease is the new file.
      this.#slots.free(this.#held.get(heldKey(key, owner))?.slot);
      this.#held.set(heldKey(key, owner), { expires, ino: statSync(path).ino, slot: undefined });
      return true;
    });
    if (!renewed) {
      this.#slots.free(this.#held.get(heldKey(key, owner))?.slot); // taken over: another file has the name
      this.#held.delete(heldKey(key, owner));
    }
    return renewed;
  }

  release(key: string, owner: LeaseOwner): void | Promise<void> {
    const path = this.#path(key);
    const held = this.#held.get(heldKey(key, owner));
    this.#held.delete(heldKey(key, owner));
    if (held && Date.now() < held.expires - RELEASE_MARGIN_MS) {
      // Well within its time nobody may remove or replace our file, so the name holds our inode unless
      // something outside the protocol (a person) removed it: the inode number tells.
      if (inodeOf(path) === held.ino) removeQuietly(path);
      this.#slots.free(held.slot);
      return;
    }
    return guarded(path, () => {
      if (inspect(path)?.file?.token === owner.token) removeQuietly(path);
      this.#slots.free(held?.slot); // removed here, or taken over: linked elsewhere no more
    });
  }

  *list(): Generator<LeaseInfo> {
    for (const key of this.#layout.leaseKeys()) {
      const seen = inspect(this.#layout.leasePath(key));
      if (seen?.file) yield infoOf(key, seen.file, seen.expired);
    }
  }

  /** Remove lapsed lease files (and slot files that dead processes left, see `lease-slots.ts`). */
  clearExpired(): number {
    this.#slots.clearIdle();
    let removed = 0;
    for (const key of [...this.#layout.leaseKeys()]) {
      const path = this.#layout.leasePath(key);
      const seen = inspect(path);
      if (seen?.expired && breakIfUnchanged(path, seen.content)) removed++;
    }
    return removed;
  }

  /** Close the slot files this object keeps open (see `lease-slots.ts`). */
  close(): void {
    this.#slots.close();
  }

  #path(key: string): string {
    if (!isFullKey(key)) throw new TypeError(`A lease key is a full 64-hex call key, got ${JSON.stringify(key)}`);
    return this.#layout.leasePath(key);
  }
}

function heldKey(key: string, owner: LeaseOwner): string {
  return `${key} ${owner.token}`;
}

/** The lease file at `path`, or undefined when there is none. */
function inspect(path: string): Seen | undefined {
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const file = decode(content);
  if (file) return { content, file, expired: Date.now() > file.expires + SKEW_TOLERANCE_MS || holderGone(file) };
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  return { content, file: undefined, expired: age > GUARD_GRACE_MS };
}

/**
 * Run `fn` under the guard of `path`, retrying while another process holds it. Without a shard
 * directory there is no lease to guard: `fn` then runs as it is (and finds none).
 */
async function guarded<T>(path: string, fn: () => T): Promise<T> {
  for (let attempt = 0; attempt < GUARD_RETRIES; attempt++) {
    let outcome: ReturnType<typeof withBreakGuard<T>>;
    try {
      outcome = withBreakGuard(path, fn);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return fn();
      throw error;
    }
    if (outcome.ran) return outcome.value;
    await sleep(2);
  }
  throw new FlecheError(`The lease guard ${path}.break stayed taken for half a second (another process is removing or renewing the lease)`, "FLECHE_BUSY");
}

/**
 * A holder on this host whose process no longer runs (or whose pid now belongs to a process started at
 * another time) is gone: its lease need not lapse first.
 */
function holderGone(file: LeaseFile): boolean {
  return file.host === localHost() && !isRunning(file.pid, file.start);
}

let thisHost: string | undefined;
function localHost(): string {
  return (thisHost ??= hostname());
}

function encode(file: LeaseFile): string {
  const { host, pid, token, since, expires, start } = file;
  return `${JSON.stringify({ host, pid, token, since, expires, ...(start === undefined ? {} : { start }) })}\n`;
}

function decode(content: string): LeaseFile | undefined {
  try {
    const file = JSON.parse(content) as Partial<LeaseFile>;
    const ok =
      typeof file?.host === "string" &&
      typeof file.pid === "number" &&
      typeof file.token === "string" &&
      typeof file.since === "number" &&
      typeof file.expires === "number" &&
      (file.start === undefined || typeof file.start === "string");
    return ok ? (file as LeaseFile) : undefined;
  } catch {
    return undefined;
  }
}

function infoOf(key: string, file: LeaseFile, expired: boolean): LeaseInfo {
  return { key, host: file.host, pid: file.pid, token: file.token, since: file.since, expires: file.expires, expired };
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
