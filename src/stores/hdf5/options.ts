/**
 * The options of the HDF5 store, in TypeScript (camelCase) and in config files (snake_case), validated
 * at the edge with messages that name the option and where it came from.
 */
import { keysOf } from "../../known-keys.js";
import { ConfigError } from "../../errors.js";
import { MAX_PREFIX_LENGTH } from "./files/layout.js";

/** Compression of large numeric datasets: off, gzip (deflate level 4, as h5py's default), or a deflate level 1–9. */
export type Hdf5Compression = false | "gzip" | number;

/** Options of {@link Hdf5Store}. */
export interface Hdf5StoreOptions {
  /** Directory of the HDF5 files (created on the first write). Call records go to `<root>/calls`. */
  readonly root: string;
  /**
   * Keys sharing their first `prefixLength` hex characters share one file `<root>/<prefix>.h5`;
   * 0 gives one file per key, `<root>/<key>.h5`.
   * @default 2
   */
  readonly prefixLength?: number;
  /**
   * Deflate-compress numeric datasets of 64 KiB and more (chunked, about 1 MiB per chunk). Pays off for
   * compressible data (zeros, repeated or smooth integer data), costs time for noisy floats.
   * @default false
   */
  readonly compression?: Hdf5Compression;
}

/** Every option of {@link Hdf5StoreOptions}; `new Hdf5Store()` rejects any other key. */
export const HDF5_STORE_OPTION_KEYS = keysOf<Hdf5StoreOptions>()(["root", "prefixLength", "compression"]);

/** Validated options. */
export interface ResolvedOptions {
  readonly root: string;
  readonly prefixLength: number;
  readonly compression: Hdf5Compression;
  /** 0 when compression is off. */
  readonly deflateLevel: number;
}

/** How the options are called where they came from. */
interface Naming {
  readonly origin: string;
  readonly root: string;
  readonly prefixLength: string;
  readonly compression: string;
}

export const CAMEL_CASE: Omit<Naming, "origin"> = { root: "root", prefixLength: "prefixLength", compression: "compression" };
export const SNAKE_CASE: Omit<Naming, "origin"> = { root: "root", prefixLength: "prefix_length", compression: "compression" };

/** Check options (given under the names of `naming`) and fill in defaults. @throws ConfigError */
export function resolveOptions(options: { root?: unknown; prefixLength?: unknown; compression?: unknown }, naming: Naming): ResolvedOptions {
  const { root, prefixLength = 2, compression = false } = options ?? {};
  if (typeof root !== "string" || root === "") {
    throw new ConfigError(`${naming.origin}: \`${naming.root}\` must be a directory path, got ${show(root)}`);
  }
  if (!Number.isInteger(prefixLength) || (prefixLength as number) < 0 || (prefixLength as number) > MAX_PREFIX_LENGTH) {
    throw new ConfigError(`${naming.origin}: \`${naming.prefixLength}\` must be an integer from 0 to ${MAX_PREFIX_LENGTH}, got ${show(prefixLength)}`);
  }
  return { root, prefixLength: prefixLength as number, compression: checkCompression(compression, naming), deflateLevel: deflateLevel(compression as Hdf5Compression) };
}

function checkCompression(value: unknown, naming: Naming): Hdf5Compression {
  if (value === false || value === "gzip") return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 9) return value;
  throw new ConfigError(`${naming.origin}: \`${naming.compression}\` must be false, "gzip" or a deflate level from 1 to 9, got ${show(value)}`);
}

function deflateLevel(compression: Hdf5Compression): number {
  return compression === false ? 0 : compression === "gzip" ? 4 : compression;
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}
