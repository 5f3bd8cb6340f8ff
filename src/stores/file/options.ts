/** The options of a {@link FileStore}, checked and normalised once. */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import { keysOf, rejectUnknownKeys } from "../../known-keys.js";
import { requireSerializer } from "../../serializers/index.js";
import type { Serializer, SerializerName } from "../../serializers/types.js";
import { parseBytes } from "../../config/bytes.js";
import { DEFAULT_MIN_PART_SIZE, DEFAULT_REMAINING_DEPTH } from "../destructure.js";
import { COMPRESSIONS, type Compression } from "../envelope/compression.js";
import { envSecretKeys, parseSecretKeys, type SecretKeyInput } from "../envelope/signing.js";

/** Options of `new FileStore(...)`. */
export interface FileStoreOptions {
  /** The directory that holds the store (created on the first write; `~` is the home directory). */
  readonly root: string;
  /** How values become bytes. @default "v8" */
  readonly serializer?: SerializerName;
  /**
   * Compress value files (`true` means `"gzip"`). Readers detect compression from the file itself, so
   * files written with any setting stay readable. `"zstd"` needs the optional package zstd-napi.
   * @default false
   */
  readonly compress?: Compression | boolean;
  /**
   * Sign every file with HMAC-SHA256: hex (colon-separated for several keys), bytes, or a list of those.
   * The first key signs, all verify. Defaults to `FLECHE_SECRET_KEY`; `[]` turns signing off.
   */
  readonly secretKey?: SecretKeyInput;
  /**
   * Containers at least this deep (counted from the leaves) are stored as entries of their own, so shared
   * parts are stored once; `Infinity` keeps containers whole. See docs/stores.md.
   * @default 1
   */
  readonly remainingDepth?: number;
  /**
   * Parts of a value estimated smaller than this many bytes stay inside their parent instead of becoming
   * entries of their own (an object this store already wrote is still referred to); a number of bytes, a
   * size such as `"1MiB"`, `0` (split every part deep enough) or `Infinity`. See docs/stores.md.
   * @default 65536 (64 KiB)
   */
  readonly minPartSize?: number | string;
}

/** Every option of {@link FileStoreOptions}; `new FileStore()` rejects any other key. */
export const FILE_STORE_OPTION_KEYS = keysOf<FileStoreOptions>()(["root", "serializer", "compress", "secretKey", "remainingDepth", "minPartSize"]);

/** Checked options. */
export interface NormalizedOptions {
  readonly root: string;
  readonly serializer: Serializer;
  readonly compress: Compression | false;
  readonly keys: Buffer[];
  readonly remainingDepth: number;
  readonly minPartSize: number;
}

/** Check and normalise options; `where` names the call in errors. */
export function normalizeOptions(options: FileStoreOptions, where: string): NormalizedOptions {
  if (typeof options !== "object" || options === null) throw new ConfigError(`${where}: expected an options object with a \`root\``);
  rejectUnknownKeys(where, options, FILE_STORE_OPTION_KEYS);
  return {
    root: normalizeRoot(options.root, `${where}: \`root\``),
    serializer: requireSerializer(options.serializer ?? "v8", `${where}: \`serializer\``),
    compress: normalizeCompress(options.compress, `${where}: \`compress\``),
    keys: options.secretKey === undefined ? envSecretKeys() : parseSecretKeys(options.secretKey, `${where}: \`secretKey\``),
    remainingDepth: normalizeDepth(options.remainingDepth, `${where}: \`remainingDepth\``),
    minPartSize: normalizeMinPartSize(options.minPartSize, `${where}: \`minPartSize\``),
  };
}

export function normalizeRoot(root: unknown, where: string): string {
  if (typeof root !== "string" || root.trim() === "") throw new ConfigError(`${where} must be a directory path, got ${JSON.stringify(root)}`);
  const expanded = root === "~" ? homedir() : root.startsWith("~/") ? `${homedir()}${root.slice(1)}` : root;
  return resolve(expanded);
}

export function normalizeCompress(compress: unknown, where: string): Compression | false {
  if (compress === undefined || compress === false) return false;
  if (compress === true) return "gzip";
  if (typeof compress === "string" && (COMPRESSIONS as readonly string[]).includes(compress)) return compress as Compression;
  throw new ConfigError(`${where} must be false, true or one of ${COMPRESSIONS.map((c) => `"${c}"`).join(", ")}; got ${JSON.stringify(compress)}`);
}

export function normalizeDepth(depth: unknown, where: string): number {
  if (depth === undefined) return DEFAULT_REMAINING_DEPTH;
  if (typeof depth === "number" && (depth === Infinity || (Number.isInteger(depth) && depth >= 0))) return depth;
  throw new ConfigError(`${where} must be a whole number ≥ 0 (or Infinity), got ${JSON.stringify(depth)}`);
}

/** A part-size threshold: bytes ≥ 0, `Infinity`, or a size string ("64KiB"). */
export function normalizeMinPartSize(size: unknown, where: string): number {
  if (size === undefined) return DEFAULT_MIN_PART_SIZE;
  if (typeof size === "number" && (size === Infinity || (Number.isInteger(size) && size >= 0))) return size;
  if (typeof size === "string") {
    if (size.trim() === "0") return 0; // parseBytes wants ≥ 1, a threshold may be 0
    try {
      return parseBytes(size, where);
    } catch {
      // the message below names every accepted form
    }
  }
  throw new ConfigError(`${where} must be a whole number of bytes ≥ 0, a size such as "64KiB", or Infinity; got ${JSON.stringify(size)}`);
}
