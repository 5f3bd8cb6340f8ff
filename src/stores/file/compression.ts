/**
 * Compression of value files: gzip and brotli through node:zlib, zstd through the optional `zstd-napi`
 * package (imported on first use). A reader never needs to know the writer's setting: gzip and zstd
 * files start with their format's magic bytes, an uncompressed file with fleche's own header, and
 * anything else is tried as brotli (which has no magic bytes) and must then decompress to a fleche header.
 */
import { createRequire } from "node:module";
import { promisify } from "node:util";
import type * as Zlib from "node:zlib";
import { ConfigError } from "../../errors.js";
import type { MaybePromise } from "../../maybe.js";

/** The compressions a file store writes. */
export type Compression = "gzip" | "brotli" | "zstd";

export const COMPRESSIONS: readonly Compression[] = ["gzip", "brotli", "zstd"];

/** What the first bytes of a file say about it. */
export type Sniffed = Compression | "plain";

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Tell the compression of a file from its first bytes; `plain` files start with `plainMagic`. */
export function sniff(bytes: Uint8Array, plainMagic: Uint8Array): Sniffed {
  if (startsWith(bytes, plainMagic)) return "plain";
  if (startsWith(bytes, GZIP_MAGIC)) return "gzip";
  if (startsWith(bytes, ZSTD_MAGIC)) return "zstd";
  return "brotli";
}

function startsWith(bytes: Uint8Array, magic: ArrayLike<number>): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

interface Zstd {
  compress(data: Uint8Array, parameters?: { compressionLevel?: number }): Buffer;
  decompress(data: Uint8Array): Buffer;
}

let zstd: Zstd | undefined;
let zstdLoading: Promise<Zstd> | undefined;

/** Import zstd-napi once; a clear error names the package when it is missing. */
export function loadZstd(): Promise<Zstd> {
  zstdLoading ??= import("zstd-napi").then(
    (module) => (zstd = module as unknown as Zstd),
    (error: unknown) => {
      zstdLoading = undefined;
      throw new ConfigError(
        `compress: "zstd" needs the optional package 'zstd-napi', which cannot be loaded (${(error as Error).message}); install it with \`npm install zstd-napi\` or use "gzip" or "brotli"`,
        { cause: error },
      );
    },
  );
  return zstdLoading;
}

/*
 * Levels favour speed: a cache compresses on the hot path of every miss. gzip level 1 is several times
 * faster than the default 6 on numeric data for a few percent of size; brotli quality 4 (default 11) and
 * zstd level 3 (zstd's default) are their formats' fast settings.
 */
const GZIP_OPTIONS: Zlib.ZlibOptions = { level: 1 };
const BROTLI_QUALITY = 4;
const ZSTD_LEVEL = 3;

/**
 * node:zlib, loaded on first use: a store without compression never needs it, and loading it costs
 * milliseconds of every process's start-up (a built-in, so it loads synchronously).
 */
let zlibModule: ReturnType<typeof loadZlib> | undefined;
function loadZlib() {
  const zlib = createRequire(import.meta.url)("node:zlib") as typeof Zlib;
  return {
    zlib,
    gzip: promisify(zlib.gzip),
    gunzip: promisify(zlib.gunzip),
    brotli: promisify(zlib.brotliCompress),
    unbrotli: promisify(zlib.brotliDecompress),
    brotliOptions: (size: number): Zlib.BrotliOptions => ({
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size },
    }),
  };
}
const z = () => (zlibModule ??= loadZlib());

/**
 * Compress `data`. `sync` runs small inputs on the calling thread; large ones go to the thread pool
 * (zstd-napi has no pooled one-shot API and always runs here).
 */
export function compress(kind: Compression, data: Uint8Array, sync: boolean): MaybePromise<Buffer> {
  switch (kind) {
    case "gzip":
      return sync ? z().zlib.gzipSync(data, GZIP_OPTIONS) : z().gzip(data, GZIP_OPTIONS);
    case "brotli":
      return sync ? z().zlib.brotliCompressSync(data, z().brotliOptions(data.byteLength)) : z().brotli(data, z().brotliOptions(data.byteLength));
    case "zstd":
      return zstd ? zstd.compress(data, { compressionLevel: ZSTD_LEVEL }) : loadZstd().then((z) => z.compress(data, { compressionLevel: ZSTD_LEVEL }));
  }
}

/** Decompress `data` written with `kind`. Throws (or rejects) on data that is not valid for it. */
export function decompress(kind: Compression, data: Uint8Array, sync: boolean): MaybePromise<Buffer> {
  switch (kind) {
    case "gzip":
      return sync ? z().zlib.gunzipSync(data) : z().gunzip(data);
    case "brotli":
      return sync ? z().zlib.brotliDecompressSync(data) : z().unbrotli(data);
    case "zstd":
      return zstd ? zstd.decompress(data) : loadZstd().then((z) => z.decompress(data));
  }
}
