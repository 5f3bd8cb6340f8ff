/**
 * Compression of value payloads: gzip and brotli through node:zlib, zstd through the optional `zstd-napi`
 * package (imported on first use). A reader never needs to know the writer's setting: the envelope's
 * header line, which is never compressed, names the compression and the decoded length. Decompression
 * never produces more than that length (a file claiming less than it holds is refused as soon as the
 * output passes the claim), so a small file cannot expand into gigabytes of memory.
 */
import { createRequire } from "node:module";
import { promisify } from "node:util";
import type * as Zlib from "node:zlib";
import { ConfigError } from "../../errors.js";
import type { MaybePromise } from "../../maybe.js";
import { constants as bufferConstants } from "node:buffer";

/** The largest Buffer this Node allocates. */
const MAX_LENGTH = bufferConstants.MAX_LENGTH;

/** The compressions a file store writes. @inline */
export type Compression = "gzip" | "brotli" | "zstd";

export const COMPRESSIONS: readonly Compression[] = ["gzip", "brotli", "zstd"];

interface Zstd {
  compress(data: Uint8Array, parameters?: { compressionLevel?: number }): Buffer;
}

/** zstd-napi's low-level decompression context: it writes into a buffer we size, so output is bounded. */
interface ZstdDCtx {
  decompress(dst: Uint8Array, src: Uint8Array): number;
}

let dctx: ZstdDCtx | undefined;

let zstd: Zstd | undefined;
let zstdLoading: Promise<Zstd> | undefined;

/** Import zstd-napi once; a clear error names the package when it is missing. */
export function loadZstd(): Promise<Zstd> {
  zstdLoading ??= Promise.all([import("zstd-napi"), import("zstd-napi/binding.js")]).then(
    ([module, binding]) => {
      // The high-level decompress() allocates whatever the frame claims; the binding's context fills a
      // buffer of the length the envelope records and fails when the data needs more.
      const { DCtx } = ((binding as { default?: unknown }).default ?? binding) as { DCtx: new () => ZstdDCtx };
      dctx = new DCtx();
      return (zstd = module as unknown as Zstd);
    },
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
    gunzip: promisify(zlib.gunzip) as (data: Uint8Array, options: Zlib.ZlibOptions) => Promise<Buffer>,
    brotli: promisify(zlib.brotliCompress),
    unbrotli: promisify(zlib.brotliDecompress) as (data: Uint8Array, options: Zlib.BrotliOptions) => Promise<Buffer>,
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

/** Why decompressed data cannot be used: it is corrupt, or longer or shorter than its recorded length. */
export class DecompressionProblem extends Error {}

/**
 * Decompress `data` written with `kind`, which must decode to exactly `length` bytes: decompression
 * stops (with a {@link DecompressionProblem}) as soon as the output would pass `length`, so memory stays
 * bounded by the length the envelope records. Throws (or rejects) on data that is not valid for `kind`.
 * A missing zstd-napi is a ConfigError, not corruption.
 */
export function decompress(kind: Compression, data: Uint8Array, length: number, sync: boolean): MaybePromise<Buffer> {
  if (length > MAX_LENGTH) throw new DecompressionProblem(`its recorded decoded length (${length} bytes) exceeds what a Buffer holds`);
  if (kind === "zstd") return dctx ? zstdInto(dctx, data, length) : loadZstd().then(() => zstdInto(dctx!, data, length));
  // maxOutputLength must be at least 1; an empty payload decoded to 1 byte is still caught below.
  const options = { maxOutputLength: Math.max(1, length) };
  const check = (out: Buffer) => exactly(out, length);
  const fail = (error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new DecompressionProblem(`it decompresses to more than its recorded ${length} bytes`);
    throw new DecompressionProblem(`its ${kind} data is corrupt (${(error as Error).message})`);
  };
  if (sync) {
    try {
      return check(kind === "gzip" ? z().zlib.gunzipSync(data, options) : z().zlib.brotliDecompressSync(data, options));
    } catch (error) {
      if (error instanceof DecompressionProblem) throw error;
      return fail(error);
    }
  }
  return (kind === "gzip" ? z().gunzip(data, options) : z().unbrotli(data, options)).then(check, fail);
}

function zstdInto(context: ZstdDCtx, data: Uint8Array, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let written: number;
  try {
    written = context.decompress(out, data);
  } catch (error) {
    const message = (error as Error).message;
    if (/too small/i.test(message)) throw new DecompressionProblem(`it decompresses to more than its recorded ${length} bytes`);
    throw new DecompressionProblem(`its zstd data is corrupt (${message})`);
  }
  return exactly(out.subarray(0, written), length);
}

function exactly(out: Buffer, length: number): Buffer {
  if (out.length !== length) throw new DecompressionProblem(`it decompresses to ${out.length} bytes, not its recorded ${length}`);
  return out;
}
