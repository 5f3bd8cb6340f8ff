/**
 * The options of the HDF5 store, in TypeScript (camelCase) and in config files (snake_case), validated
 * at the edge with messages that name the option and where it came from.
 */
import { keysOf } from "../../known-keys.js";
import { ConfigError } from "../../errors.js";
import type { StoreOptionTable } from "../descriptor.js";
import { MAX_PREFIX_LENGTH } from "./files/layout.js";

/** Compression of large numeric datasets: off, gzip (deflate level 4, as h5py's default), or a deflate level 1–9. @inline */
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

/** Check options (given under the names of `naming`) and fill in defaults. @throws ConfigError */
export function resolveOptions(options: { root?: unknown; prefixLength?: unknown; compression?: unknown }, naming: Naming): ResolvedOptions {
  const { root, prefixLength = 2, compression = false } = options ?? {};
  const where = (name: string) => `${naming.origin}: \`${name}\``;
  const checkedRoot = checkRoot(root, where(naming.root));
  const checkedPrefixLength = checkPrefixLength(prefixLength, where(naming.prefixLength));
  const checked = checkCompression(compression, where(naming.compression));
  return { root: checkedRoot, prefixLength: checkedPrefixLength, compression: checked, deflateLevel: deflateLevel(checked) };
}

/** A root directory; `where` begins the message ("fleche.toml [h5] values: `root`"). */
export function checkRoot(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") throw new ConfigError(`${where} must be a directory path, got ${show(value)}`);
  return value;
}

function checkPrefixLength(value: unknown, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_PREFIX_LENGTH) {
    throw new ConfigError(`${where} must be an integer from 0 to ${MAX_PREFIX_LENGTH}, got ${show(value)}`);
  }
  return value as number;
}

function checkCompression(value: unknown, where: string): Hdf5Compression {
  if (value === false || value === "gzip") return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 9) return value;
  throw new ConfigError(`${where} must be false, "gzip" or a deflate level from 1 to 9, got ${show(value)}`);
}

/**
 * The `type = "hdf5"` config options; `Hdf5Store.toConfig()` writes every one, defaults included, so a
 * config names the layout its files were written with (a store opened with another `prefix_length`
 * refuses them). The descriptor is ./descriptor.ts.
 */
export const HDF5_CONFIG: StoreOptionTable = {
  type: "hdf5",
  // The wording of messages from before descriptors ("… values: `prefix_length` must be …").
  label: (origin, name) => `${origin}: \`${name}\``,
  options: [
    { name: "root", configName: "root", doc: "directory of the HDF5 files, created on the first write; call records go to <root>/calls", parse: checkRoot },
    { name: "prefixLength", configName: "prefix_length", doc: "keys sharing their first n hex characters share one file (default 2); 0 writes one file per key", parse: checkPrefixLength },
    { name: "compression", configName: "compression", doc: 'false (default), "gzip" (deflate level 4) or a deflate level 1–9 for numeric datasets of 64 KiB and more', parse: checkCompression },
  ],
};

function deflateLevel(compression: Hdf5Compression): number {
  return compression === false ? 0 : compression === "gzip" ? 4 : compression;
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}
