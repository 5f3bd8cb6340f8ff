/**
 * Compression of value files: gzip and brotli through node:zlib, zstd through the optional `zstd-napi`
 * package (imported on first use). A reader never needs to know the writer's setting: gzip and zstd
 * files start with their format's magic bytes, an uncompressed file with fleche's own header, and
 * anything else is tried as brotli (which has no magic bytes) and must then decompress to a fleche header.
 */
import { promisify } from "node:util";
import * as zlib from "node:zlib";
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
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 1 };
const BROTLI_OPTIONS = (size: number): zlib.BrotliOptions => ({
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size },
});
const ZSTD_LEVEL = 3;

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);
const brotliAsync = promisify(zlib.brotliCompress);
const unbrotliAsync = promisify(zlib.brotliDecompress);

/**
 * Compress `data`. `sync` runs small inputs on the calling thread; large ones go to the thread pool
 * (zstd-napi has no pooled one-shot API and always runs here).
 */
export function compress(kind: Compression, data: Uint8Array, sync: boolean): MaybePromise<Buffer> {
  switch (kind) {
    case "gzip":
      return sync ? zlib.gzipSync(data, GZIP_OPTIONS) : gzipAsync(data, GZIP_OPTIONS);
    case "brotli":
      return sync ? zlib.brotliCompressSync(data, BROTLI_OPTIONS(data.byteLength)) : brotliAsync(data, BROTLI_OPTIONS(data.byteLength));
    case "zstd":
      return zstd ? zstd.compress(data, { compressionLevel: ZSTD_LEVEL }) : loadZstd().then((z) => z.compress(data, { compressionLevel: ZSTD_LEVEL }));
  }
}

/** Decompress `data` written with `kind`. Throws (or rejects) on data that is not valid for it. */
export function decompress(kind: Compression, data: Uint8Array, sync: boolean): MaybePromise<Buffer> {
  switch (kind) {
    case "gzip":
      return sync ? zlib.gunzipSync(data) : gunzipAsync(data);
    case "brotli":
      return sync ? zlib.brotliDecompressSync(data) : unbrotliAsync(data);
    case "zstd":
      return zstd ? zstd.decompress(data) : loadZstd().then((z) => z.decompress(data));
  }
}
