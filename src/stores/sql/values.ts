/**
 * The value role of the `Sql` store: values as rows of `value_entries`, in the same envelope as
 * FileStore's files (`../envelope/codec.ts`), split into the same content-addressed entries
 * (`../destructure.ts`), so keys, parts and bytes are identical whichever store holds them and a
 * transfer copies rows and files as bytes.
 *
 * - A save plans the entries, touches the value when it is already stored (with its parts, docs/gc.md),
 *   else touches the parts that are and writes the others in one transaction.
 * - A load reads the row, checks it (length, check value or signature) before it decodes, and assembles
 *   parts; an unusable row is a miss with a warning and is deleted, so the recomputed value replaces it.
 * - The gc protocol is plain SQL: a touch is an `UPDATE ... SET touched_at`, a conditional eviction one
 *   `DELETE ... WHERE touched_at <= cutoff`, each atomic with respect to the other.
 */
import { checkDigest, checkParts } from "../envelope/digest-check.js";
import { CacheMiss, SaveError } from "../../errors.js";
import { digest } from "../../digest/index.js";
import { logger } from "../../log.js";
import { isPromise, then, type MaybePromise } from "../../maybe.js";
import { binaryType, bytesOf, type BinaryValue } from "../../serializers/binary.js";
import type { Serializer } from "../../serializers/types.js";
import { isFullKey } from "../keys.js";
import { KnownParts, planEntries, type PlannedEntry } from "../destructure.js";
import { Corrupt } from "../envelope/decoded.js";
import { SYNC_LIMIT, headerOf, type EntryCodec } from "../envelope/codec.js";
import { materialize, type Chain } from "../envelope/materialize.js";
import type { KeyStream, RawEntries, VerifyOptions, VerifyReport } from "../types.js";
import { MAX_ENTRY_BYTES, type EntryRow, type ValueTable } from "./value-table.js";
import { takeRow } from "./prefetch.js";

/** How values are split into entries. */
export interface SplitSettings {
  readonly remainingDepth: number;
  readonly minPartSize: number;
}

/** The value role of one `Sql` store: envelopes, parts and touches over its `value_entries` table. */
export class SqlValues {
  /** Objects this store wrote as entries: found again inside a later value, they are referred to. */
  readonly #known = new KnownParts();

  constructor(
    private readonly table: ValueTable,
    private readonly codec: EntryCodec,
    private readonly split: SplitSettings,
    private readonly label: string,
    /** The database's URL: rows read with a hit's record are offered under it (`prefetch.ts`). */
    private readonly database: string,
  ) {}

  get #serializer(): Serializer {
    return this.codec.serializer;
  }

  save(value: unknown, key?: string): MaybePromise<string> {
    if (key !== undefined && !isFullKey(key)) throw new SaveError(`${this.label}: cannot store a value under '${key}': keys are 64 lowercase hex digits`);
    this.#checkBinarySize(value);
    const k = key ?? digest(value);
    if (!this.#serializer.ready) return this.#serializer.load().then(() => this.save(value, k));
    const entries = planEntries(value, k, { remainingDepth: this.split.remainingDepth, minPartSize: this.split.minPartSize, known: this.#known });
    // A value already stored is refreshed with its parts instead of written again (docs/gc.md).
    return then(this.#touchTree(k), (kept) => (kept ? k : this.#write(entries, k)));
  }

  /** A binary value too large for one row is refused before its bytes are hashed or copied. */
  #checkBinarySize(value: unknown): void {
    if (typeof value !== "object" || value === null || !binaryType(value)) return;
    const size = bytesOf(value as BinaryValue).byteLength;
    if (size > MAX_ENTRY_BYTES) throw this.#tooLarge(size);
  }

  #tooLarge(size: number): SaveError {
    return new SaveError(
      `${this.label}: cannot store a value entry of ${size.toLocaleString("en")} bytes: a SQL store holds entries of at most ${MAX_ENTRY_BYTES.toLocaleString("en")} bytes (256 MiB; use a FileStore or S3 for larger values)`,
    );
  }

  /** Touch the parts already stored, then write the value and the missing parts in one transaction. */
  #write(entries: readonly PlannedEntry[], key: string): MaybePromise<string> {
    const parts = entries.slice(0, -1).map((e) => e.key);
    const present = parts.length ? this.table.touch(parts, Date.now()) : new Map<string, readonly string[]>();
    return then(present, (stored) => {
      const todo = entries.filter((e, i) => i === entries.length - 1 || !stored.has(e.key));
      const rows = todo.map((entry) => this.#encode(entry));
      const write = (ready: readonly EntryRow[]) => then(this.table.write(ready, Date.now()), () => key);
      return rows.some(isPromise) ? Promise.all(rows).then(write) : write(rows as EntryRow[]);
    });
  }

  #encode(entry: PlannedEntry): MaybePromise<EntryRow> {
    const encoded = this.codec.encode(entry.key, entry.node);
    const row = ([line, stored]: readonly [Uint8Array, Uint8Array]): EntryRow => {
      const size = line.byteLength + stored.byteLength;
      if (size > MAX_ENTRY_BYTES) throw this.#tooLarge(size);
      const children = entry.node.kind === "whole" ? [] : entry.node.children;
      return { key: entry.key, bytes: Buffer.concat([line, stored], size), children };
    };
    return isPromise(encoded) ? encoded.then(row) : row(encoded);
  }

  /** Touch `key` and, level by level, its parts; false as soon as one of them is absent. */
  #touchTree(key: string): MaybePromise<boolean> {
    const seen = new Set([key]);
    const level = (keys: readonly string[]): MaybePromise<boolean> =>
      then(this.table.touch(keys, Date.now()), (found) => {
        if (found.size < keys.length) return false;
        const next: string[] = [];
        for (const children of found.values()) {
          for (const child of children) {
            if (seen.has(child)) continue;
            seen.add(child);
            next.push(child);
          }
        }
        return next.length ? level(next) : true;
      });
    return level([key]);
  }

  load(key: string): MaybePromise<unknown> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    return this.#load(key, undefined, true);
  }

  /** The row of `key`: the one a hit's record came with in this turn (`prefetch.ts`), else read. */
  #read(key: string): MaybePromise<Uint8Array | undefined> {
    return takeRow(this.database, key) ?? this.table.read(key);
  }

  /**
   * Load `key`, a part of the entries in `chain` when it has any. With `report`, an unusable entry is
   * reported, removed and a miss; without (for `verify`), its problem is thrown as it is.
   */
  #load(key: string, chain: Chain | undefined, report: boolean): MaybePromise<unknown> {
    try {
      const value = then(chain ? this.table.read(key) : this.#read(key), (bytes) => {
        if (bytes === undefined) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
        const decoded = then(this.codec.check(key, bytes, bytes.byteLength <= SYNC_LIMIT), (entry) => this.codec.decode(entry));
        const here: Chain = { key, parent: chain };
        return then(decoded, (d) => materialize(d, here, (child, parents) => this.#load(child, parents, report)));
      });
      if (!report) return value;
      return isPromise(value) ? value.catch((error: unknown) => this.#unusable(key, error)) : value;
    } catch (error) {
      if (!report) throw error;
      return this.#unusable(key, error);
    }
  }

  /** A read failed: a miss; an unusable entry is reported and removed (unless a newer fleche wrote it). */
  #unusable(key: string, error: unknown): MaybePromise<never> {
    if (!(error instanceof Corrupt)) throw error;
    const miss = new CacheMiss(key, `Value ${key} in ${this.label} is unusable: ${error.message}`, { cause: error });
    const report = (fate: string): never => {
      logger().warn(`${this.label}: ignoring value ${key}: ${error.message}; ${fate}`);
      throw miss;
    };
    if (error.newer) return report("it is left in place");
    let removed: MaybePromise<void>;
    try {
      removed = this.table.remove(key);
    } catch {
      return report("it cannot be removed");
    }
    const removedFate = "it is removed and will be recomputed";
    return isPromise(removed) ? removed.then(() => report(removedFate), () => report("it cannot be removed")) : report(removedFate);
  }

  contains(key: string): MaybePromise<boolean> {
    return isFullKey(key) ? this.table.contains(key) : false;
  }

  evict(key: string): MaybePromise<void> {
    if (isFullKey(key)) return this.table.remove(key);
  }

  list(prefix?: string): KeyStream {
    const p = (prefix ?? "").toLowerCase();
    return /^[0-9a-f]*$/.test(p) ? this.table.keys(p) : [];
  }

  childDigests(key: string): MaybePromise<readonly string[]> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    return then(this.table.children(key), (children) => {
      if (children === undefined) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
      return children;
    });
  }

  writtenAt(key: string): MaybePromise<number | undefined> {
    return isFullKey(key) ? this.table.writtenAt(key) : undefined;
  }

  touch(key: string): MaybePromise<boolean> {
    return isFullKey(key) ? this.#touchTree(key) : false;
  }

  evictIfStale(key: string, cutoff: number): MaybePromise<boolean> {
    return isFullKey(key) ? this.table.removeIfStale(key, cutoff) : false;
  }

  /** Rows as their bytes: copied to or from another store of the same envelope as they are. */
  readonly raw: RawEntries = {
    read: (key) => {
      if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
      return then(this.table.read(key), (bytes) => {
        if (bytes === undefined) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
        return bytes;
      });
    },
    write: (key, bytes) => {
      if (!isFullKey(key)) throw new SaveError(`${this.label}: cannot store a value under '${key}': keys are 64 lowercase hex digits`);
      let children: readonly string[];
      try {
        this.codec.verify(key, bytes);
        children = headerOf(bytes).c ?? [];
      } catch (error) {
        if (error instanceof Corrupt) return false;
        throw error;
      }
      if (bytes.byteLength > MAX_ENTRY_BYTES) throw this.#tooLarge(bytes.byteLength);
      return then(this.table.write([{ key, bytes, children }], Date.now()), () => true);
    },
  };

  /**
   * Check every entry as a load would (envelope, length, check value or signature, bounded
   * decompression), that its `children` column matches its header and that its parts are stored; with
   * `deep`, also decode it (parts assembled) and re-hash it against its key. With `repair`, remove the
   * unusable entries.
   */
  async verify(options: VerifyOptions): Promise<VerifyReport> {
    const total = await this.table.count();
    const problems: { key: string; problem: string }[] = [];
    let checked = 0;
    let removed = 0;
    for await (const key of this.table.keys("")) {
      const found = await this.#problem(key, options.deep === true);
      checked++;
      if (found !== undefined) {
        problems.push({ key, problem: found.message });
        // An entry a newer fleche wrote is reported, never removed (as loads leave it in place).
        if (options.repair && !found.newer) {
          await this.table.remove(key);
          removed++;
        }
      }
      options.onProgress?.(checked, total);
    }
    return { checked, problems, removed };
  }

  /** What is wrong with the entry `key`, or undefined (a vanished entry is no problem). */
  async #problem(key: string, deep: boolean): Promise<Corrupt | undefined> {
    try {
      const bytes = await this.table.read(key);
      if (bytes === undefined) return undefined;
      const entry = await this.codec.check(key, bytes, false);
      const children = entry.header.c ?? [];
      const column = await this.table.children(key);
      if (column !== undefined && column.join(" ") !== children.join(" ")) throw new Corrupt("its children column does not match its header");
      const missing: string[] = [];
      for (const child of children) if (!(await this.table.contains(child))) missing.push(child);
      checkParts(missing);
      if (deep) {
        const value = await this.#load(key, undefined, false);
        checkDigest(value, key);
      }
      return undefined;
    } catch (error) {
      if (error instanceof Corrupt) return error;
      if (error instanceof CacheMiss && error.cause instanceof Corrupt) return error.cause;
      throw error;
    }
  }
}
