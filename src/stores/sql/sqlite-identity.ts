/**
 * Which file a SQLite connection really has open. A database file deleted or replaced (renamed over)
 * while a connection has it open stays open under its old inode: SQLite keeps reading and writing the
 * unlinked file, and every record saved from then on is lost with it. The store remembers the identity
 * (device and inode) of the database file and of its `-wal` and `-shm` files when it opens them, and
 * compares with what the path names now.
 *
 * Reopening is safe when no `-wal` or `-shm` file of the old database is left at the path: SQLite would
 * pair a left-over WAL (and its index) with the new database file and mix two databases. (Closing the
 * old connection is safe: SQLite notices the moved file and neither checkpoints into nor deletes
 * anything by path.)
 */
import { statSync } from "node:fs";

/** Device and inode of a file. */
interface Inode {
  readonly dev: bigint;
  readonly ino: bigint;
}

function inodeOf(path: string): Inode | undefined {
  try {
    const { dev, ino } = statSync(path, { bigint: true });
    return { dev, ino };
  } catch {
    return undefined;
  }
}

const same = (a: Inode | undefined, b: Inode | undefined): boolean => a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** The files a connection opened, as they were when it opened them. */
export class FileIdentity {
  readonly #database: Inode | undefined;
  readonly #companions: readonly (readonly [path: string, inode: Inode | undefined])[];

  constructor(readonly path: string) {
    this.#database = inodeOf(path);
    this.#companions = [`${path}-wal`, `${path}-shm`].map((p) => [p, inodeOf(p)] as const);
  }

  /** How the path differs from the file the connection has open: `"deleted"`, `"replaced"`, or undefined when it is the same file. */
  change(): "deleted" | "replaced" | undefined {
    const now = inodeOf(this.path);
    if (now === undefined) return "deleted";
    return same(now, this.#database) ? undefined : "replaced";
  }

  /** A left-over `-wal` or `-shm` file of the old database that makes reopening unsafe, or undefined. */
  leftOver(): string | undefined {
    for (const [path, inode] of this.#companions) if (same(inodeOf(path), inode)) return path;
    return undefined;
  }
}
