/**
 * Where entries live under a file store's root: `root/<first two hex digits>/<key>` for values and
 * `root/<first two hex digits>/<key>.json` for call records. 256 shard directories keep directories
 * small up to millions of entries (about 4k names each at a million), and a prefix listing reads one shard.
 * Dot-files are temporary files of writes in progress (see `fs/atomic.ts`) and never entries. Lease
 * files `root/<shard>/<key>.lease` (and their break guards `<key>.lease.break`) sit next to the records
 * but are neither records nor values: {@link entryKey} never takes them for one.
 */
import { readdirSync } from "node:fs";
import { sep } from "node:path";
import { isFullKey } from "../keys.js";

/** Hex digits of the shard directory name. */
export const SHARD_LENGTH = 2;

/** The manifest's file name at the root. */
export const MANIFEST_NAME = "fleche-store.json";

/** File name suffix of call records. */
export const CALL_SUFFIX = ".json";

/** File name suffix of lease files (`leases.ts`). */
export const LEASE_SUFFIX = ".lease";

/** The two kinds of entries. */
export type EntryKind = "value" | "call";

const SHARD = /^[0-9a-f]{2}$/;

/** Paths under one root. */
export class Layout {
  readonly manifestPath: string;

  constructor(readonly root: string) {
    this.manifestPath = `${root}${sep}${MANIFEST_NAME}`;
  }

  shardOf(key: string): string {
    return `${this.root}${sep}${key.slice(0, SHARD_LENGTH)}`;
  }

  valuePath(key: string): string {
    return `${this.root}${sep}${key.slice(0, SHARD_LENGTH)}${sep}${key}`;
  }

  callPath(key: string): string {
    return `${this.root}${sep}${key.slice(0, SHARD_LENGTH)}${sep}${key}${CALL_SUFFIX}`;
  }

  leasePath(key: string): string {
    return `${this.root}${sep}${key.slice(0, SHARD_LENGTH)}${sep}${key}${LEASE_SUFFIX}`;
  }

  /** Keys with a lease file, read shard by shard. */
  *leaseKeys(): Generator<string> {
    for (const shard of this.shards()) {
      for (const name of listDir(`${this.root}${sep}${shard}`)) {
        if (!name.endsWith(LEASE_SUFFIX)) continue;
        const key = name.slice(0, -LEASE_SUFFIX.length);
        if (isFullKey(key)) yield key;
      }
    }
  }

  /** Shard directory names (sorted) that may hold keys starting with `prefix`. */
  shards(prefix = ""): string[] {
    if (prefix.length >= SHARD_LENGTH) return [prefix.slice(0, SHARD_LENGTH)];
    return listDir(this.root)
      .filter((name) => SHARD.test(name) && name.startsWith(prefix))
      .sort();
  }

  /** Keys of entries of `kind` starting with `prefix`, read shard by shard. */
  *keys(kind: EntryKind, prefix = ""): Generator<string> {
    for (const shard of this.shards(prefix)) {
      for (const name of listDir(`${this.root}${sep}${shard}`)) {
        const key = entryKey(kind, name);
        if (key !== undefined && key.startsWith(prefix)) yield key;
      }
    }
  }
}

/** The key of an entry file name of `kind`, or undefined for other files (temporary files included). */
export function entryKey(kind: EntryKind, name: string): string | undefined {
  if (kind === "value") return isFullKey(name) ? name : undefined;
  if (!name.endsWith(CALL_SUFFIX)) return undefined;
  const key = name.slice(0, -CALL_SUFFIX.length);
  return isFullKey(key) ? key : undefined;
}

/** Names in a directory; none when it does not exist (yet). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw error;
  }
}
