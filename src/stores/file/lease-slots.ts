/**
 * Cheap exclusive creates for lease files: a hard link instead of a new file. Creating a file costs an
 * inode (a hundred microseconds and more on a journaled disk, as much as the record write it guards),
 * while `link(2)` only adds a name: a few microseconds. So each process keeps a few slot files under
 * `root/leases/` (`<host>.<pid>.<random>.<n>`), writes a lease's content into a free slot, and links the
 * slot to `<key>.lease`; `link` fails with EEXIST when the name is taken, exactly like an exclusive
 * create. Once the lease file is removed (released, renewed by rename, or broken by a taker-over), the
 * slot is linked nowhere else and is written again for the next lease.
 *
 * A slot is rewritten only while its link count is 1 (checked before every write), so no reader of a
 * lease file ever sees it change, except a reader that opened a lease file just before its release: it
 * may read the slot's next content or a torn one, which only makes it wait one poll longer (a torn file
 * counts as live, and the break guard re-reads the lease by name before removing anything).
 *
 * Over NFS a `link` whose reply was lost is retried and answered EEXIST although it succeeded: the
 * inode number of the name is compared with the slot's, as NFS lock files always have. Filesystems
 * without hard links (EPERM, ENOTSUP, EXDEV, EMLINK) fall back to exclusive creates.
 */
import { closeSync, fstatSync, ftruncateSync, linkSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { dirname, join, sep } from "node:path";
import { listDir } from "./layout.js";

/** The directory of slot files under a store's root. */
export const SLOT_DIR = "leases";

/** A slot linked nowhere this long (its last lease written this long ago) is removed by `clearIdle`. */
const IDLE_SLOT_MS = 3_600_000;

/** Lease contents are padded to this many bytes, so a slot is rewritten in place without truncating. */
const SLOT_BYTES = 256;

/** Errors of filesystems that cannot hard-link. */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "EMLINK", "ENOSYS"]);

/** A slot file, kept open while this object lives (closed by {@link LeaseSlots.close}, reopened on use). */
export interface Slot {
  readonly path: string;
  readonly ino: number;
  fd: number | undefined;
}

/** A lease file made by {@link LeaseSlots.create}: its inode, and the slot it links (none when created plainly). */
export interface MadeFile {
  readonly ino: number;
  readonly slot: Slot | undefined;
}

/** The slot files of one process in one store. */
export class LeaseSlots {
  readonly #dir: string;
  /** Slots not lent to a lease (each is checked to be linked nowhere else before it is written). */
  readonly #free: Slot[] = [];
  /** Every slot this object made, to close them. */
  readonly #all = new Set<Slot>();
  /** `<host>.<pid>.<random>`: the names of this object's slots (drawn at the first lease). */
  #prefix: string | undefined;
  #count = 0;
  /** False once the filesystem refused a hard link: exclusive creates from then on. */
  #linking = true;

  constructor(root: string) {
    this.#dir = `${root}${sep}${SLOT_DIR}`;
  }

  /**
   * Make `content` the file at `path` unless a file is there; undefined when the name was taken. Give
   * the slot back with {@link LeaseSlots.free} once the file is removed or replaced (or was taken over).
   */
  create(path: string, content: string): MadeFile | undefined {
    if (!this.#linking) return plainFile(path, content);
    const slot = this.#take();
    writeSlot(slot, content);
    for (;;) {
      try {
        linkSync(slot.path, path);
        return { ino: slot.ino, slot };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EEXIST") {
          if (inode(path) === slot.ino) return { ino: slot.ino, slot }; // a retried link that had succeeded (NFS)
          this.free(slot);
          return undefined;
        }
        if (code === "ENOENT" && inode(slot.path) === undefined) {
          this.#forget(slot); // removed by a cleaner
          return this.create(path, content);
        }
        if (code === "ENOENT") {
          mkdirSync(dirname(path), { recursive: true });
          continue;
        }
        if (code && NO_LINKS.has(code)) {
          this.#linking = false;
          this.#forget(slot);
          return plainFile(path, content);
        }
        this.free(slot);
        throw error;
      }
    }
  }

  /** The lease file of `slot` was removed or replaced: the slot may be written again. */
  free(slot: Slot | undefined): void {
    if (slot && this.#all.has(slot)) this.#free.push(slot);
  }

  /** Close the slot files (they are opened again when needed). */
  close(): void {
    for (const slot of this.#all) closeSlot(slot);
  }

  /** Remove slot files of any process that are linked nowhere and idle for an hour (a dead process's). */
  clearIdle(): number {
    let removed = 0;
    const now = Date.now();
    for (const name of listDir(this.#dir)) {
      const path = join(this.#dir, name);
      try {
        const stat = statSync(path);
        if (stat.nlink === 1 && now - stat.mtimeMs > IDLE_SLOT_MS) {
          unlinkSync(path);
          removed++;
        }
      } catch {
        // gone meanwhile
      }
    }
    return removed;
  }

  /** A slot linked nowhere: a free one of ours, or a new one. */
  #take(): Slot {
    for (;;) {
      const slot = this.#free.pop();
      if (!slot) break;
      // A slot is written only while nothing else links it (a lease not given back stays linked).
      if (linkCountOf(slot) === 1) return slot;
      if (linkCountOf(slot) === 0) this.#forget(slot);
    }
    const slot = this.#make();
    this.#all.add(slot);
    return slot;
  }

  #forget(slot: Slot): void {
    closeSlot(slot);
    this.#all.delete(slot);
  }

  #make(): Slot {
    this.#prefix ??= `${hostname().replace(/[^A-Za-z0-9.-]/g, "_")}.${process.pid}.${randomBytes(4).toString("hex")}`;
    const path = `${this.#dir}${sep}${this.#prefix}.${this.#count++}`;
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mkdirSync(this.#dir, { recursive: true });
      fd = openSync(path, "wx");
    }
    return { path, ino: fstatSync(fd).ino, fd };
  }

}

/** Write `content`, padded to {@link SLOT_BYTES} (JSON allows the trailing spaces), over the slot's bytes. */
function writeSlot(slot: Slot, content: string): void {
  const bytes = Buffer.from(content.length >= SLOT_BYTES ? content : `${content.replace(/\n$/, "").padEnd(SLOT_BYTES - 1, " ")}\n`);
  slot.fd ??= openSync(slot.path, "r+");
  writeSync(slot.fd, bytes, 0, bytes.length, 0);
  if (bytes.length > SLOT_BYTES) ftruncateSync(slot.fd, bytes.length);
}

/** The slot's link count (0 when its file was removed). */
function linkCountOf(slot: Slot): number {
  try {
    slot.fd ??= openSync(slot.path, "r+");
    return fstatSync(slot.fd).nlink;
  } catch {
    return 0;
  }
}

function closeSlot(slot: Slot): void {
  if (slot.fd === undefined) return;
  try {
    closeSync(slot.fd);
  } catch {
    // already closed
  }
  slot.fd = undefined;
}

/** A lease file created plainly, where hard links are not available. */
function plainFile(path: string, content: string): MadeFile | undefined {
  const ino = createExclusive(path, content);
  return ino === undefined ? undefined : { ino, slot: undefined };
}

/** Create `path` holding `content`, unless it exists (undefined); its inode number. Creates the directory if needed. */
export function createExclusive(path: string, content: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return undefined;
    if (code !== "ENOENT") throw error;
    mkdirSync(dirname(path), { recursive: true });
    return createExclusive(path, content);
  }
  try {
    writeSync(fd, content);
    return fstatSync(fd).ino;
  } finally {
    closeSync(fd);
  }
}

function inode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}
