/**
 * The root directory of a FileStore, as both of its sides use it: where entries live (`layout.ts`), the
 * manifest read once and written before the first write, the background sweep of stale temporary files
 * per shard, listings, and how an unusable file is reported and removed.
 */
import { existsSync } from "node:fs";
import { SaveError } from "../../errors.js";
import { logger } from "../../log.js";
import { makeDirectory } from "../../fs/mkdir.js";
import { removeQuietly } from "../../fs/remove.js";
import { removeStaleTempsAsync } from "../../fs/atomic.js";
import type { SerializerName } from "../../serializers/types.js";
import { Corrupt } from "../envelope/decoded.js";
import { Layout, type EntryKind } from "./layout.js";
import { FORMAT_VERSION, readManifest, writeManifest } from "./manifest.js";
import type { RecordProblem } from "./records.js";

/** One FileStore's root: its layout, manifest and sweeps. */
export class FileStoreRoot {
  readonly layout: Layout;
  /** Whether the manifest has been read (and found, or found absent). */
  #opened = false;
  #hasManifest = false;
  /** Shard directories this process has swept for stale temporary files. */
  readonly #swept = new Set<string>();

  constructor(
    readonly path: string,
    private readonly serializer: SerializerName,
  ) {
    this.layout = new Layout(path);
  }

  /** Read the manifest once (a missing one is fine until the first write). */
  open(): void {
    if (this.#opened) return;
    this.#hasManifest = (readManifest(this.layout.manifestPath, this.path)?.version ?? 0) >= FORMAT_VERSION;
    this.#opened = true;
  }

  /** Make sure the root and its manifest exist before the first write. */
  prepareWrite(): void {
    this.open();
    if (this.#hasManifest) return;
    try {
      makeDirectory(this.path);
      // A root of format 1 becomes format 2 with this fleche's first write: its older entries are
      // misses (removed when met), and fleches of format 1 then refuse the root instead of deleting
      // entries they cannot read.
      const manifest = existsSync(this.layout.manifestPath) ? readManifest(this.layout.manifestPath, this.path) : undefined;
      if (!manifest || manifest.version < FORMAT_VERSION) writeManifest(this.layout.manifestPath, this.serializer);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === "EEXIST" || code === "ENOTDIR" ? "it (or a parent) is a file, not a directory" : (error as Error).message;
      throw new SaveError(`Cannot use ${this.path} as a FileStore root: ${reason}`, { cause: error });
    }
    this.#hasManifest = true;
  }

  /**
   * The first write into a shard directory (per process) also removes, in the background, temporary
   * files that writers killed long ago left there; `verify` does the same for every shard at once.
   */
  sweep(key: string): void {
    const shard = key.slice(0, 2);
    if (this.#swept.has(shard)) return;
    if (this.#swept.size === 0) void removeStaleTempsAsync(this.path); // large values start at the root
    this.#swept.add(shard);
    void removeStaleTempsAsync(this.layout.shardOf(key));
  }

  /** The keys of one kind of entry, optionally under a prefix (a prefix that is not hex matches nothing). */
  list(kind: EntryKind, prefix?: string): Iterable<string> {
    this.open();
    const p = (prefix ?? "").toLowerCase();
    if (!/^[0-9a-f]*$/.test(p)) return [];
    return this.layout.keys(kind, p);
  }

  /** Report an unusable file and remove it (unless a newer fleche wrote it), so a recomputation replaces it. */
  discard(path: string, problem: Corrupt | RecordProblem): void {
    const newer = problem instanceof Corrupt && problem.newer;
    const fate = newer ? "it is left in place" : removeQuietly(path) ? "it is removed and will be recomputed" : "it cannot be removed";
    logger().warn(`Ignoring ${path}: ${problem.message}; ${fate}`);
  }
}
