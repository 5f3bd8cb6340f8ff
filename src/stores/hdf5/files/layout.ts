/**
 * Where entries live on disk. With `prefixLength` n > 0, every key starting with the same n hex
 * characters shares the file `<dir>/<key[0:n]>.h5` (n = 2 gives at most 256 files), as the entry
 * `/<key>` inside it; with n = 0 every key has its own file `<dir>/<key>.h5`, holding just `/<key>`.
 * The layout is recognisable from the file names alone, so a store opened with a different
 * `prefix_length` than the files it finds refuses to start instead of silently missing everything.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../../errors.js";
import { KEY_LENGTH } from "../../keys.js";

/** Names of entry files: hex, then ".h5" (temporary and damaged files never match). */
const ENTRY_FILE = /^([0-9a-f]+)\.h5$/;

/** The largest accepted prefix length (16⁸ files would already be absurd). */
export const MAX_PREFIX_LENGTH = 8;

/** One directory of entry files. */
export class Layout {
  constructor(
    readonly dir: string,
    readonly prefixLength: number,
  ) {}

  /** The hex part of a file's name: the key prefix, or the whole key with prefix length 0. */
  private get stemLength(): number {
    return this.prefixLength === 0 ? KEY_LENGTH : this.prefixLength;
  }

  /** The file holding `key`. */
  fileOf(key: string): string {
    return join(this.dir, `${key.slice(0, this.stemLength)}.h5`);
  }

  /** The path of `key`'s entry inside its file. */
  entryPath(key: string): string {
    return `/${key}`;
  }

  /** Entry files that may hold keys starting with `prefix` (all of them without one). */
  files(prefix = ""): string[] {
    const n = this.stemLength;
    const out: string[] = [];
    for (const name of this.names()) {
      const stem = ENTRY_FILE.exec(name)?.[1];
      if (stem === undefined || stem.length !== n) continue;
      if (prefix.length >= n ? prefix.startsWith(stem) : stem.startsWith(prefix)) out.push(join(this.dir, name));
    }
    return out.sort();
  }

  /**
   * Refuse a directory whose entry files were written with another prefix length.
   * @throws ConfigError naming the option, the directory and an example file.
   */
  check(option: string): void {
    for (const name of this.names()) {
      const stem = ENTRY_FILE.exec(name)?.[1];
      if (stem === undefined || stem.length === this.stemLength) continue;
      if (stem.length !== KEY_LENGTH && stem.length > MAX_PREFIX_LENGTH) continue; // not one of ours
      const found = stem.length === KEY_LENGTH ? 0 : stem.length;
      throw new ConfigError(
        `HDF5 store at ${this.dir}: found '${name}', written with \`${option}\` = ${found}, but the store is configured ` +
          `with \`${option}\` = ${this.prefixLength}; use \`${option}\` = ${found} or another root`,
      );
    }
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}
