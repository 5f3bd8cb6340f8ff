/**
 * CRC-32 (the polynomial of gzip, PNG and zlib), shared by the file and HDF5 stores to detect damaged
 * bytes on every read.
 *
 * Two implementations, chosen by size: small inputs (call records, small values: the hot path of a cache
 * hit) go through a slicing-by-8 table in JavaScript (about 250 ns for 300 bytes, no module to load);
 * large ones through `zlib.crc32` (Node ≥ 20.15, about 2 GB/s), whose module is loaded on first use
 * because loading node:zlib costs about 2 ms of a process's start-up. On older Node versions the table
 * version serves every size (about 1.2 GB/s).
 */
import { createRequire } from "node:module";

type Crc32 = (data: Uint8Array, start?: number) => number;

/** Inputs shorter than this stay in JavaScript: a native call and its module load do not pay off. */
const NATIVE_FROM = 64 * 1024;

/** zlib's CRC-32, looked up on first use. */
let native: Crc32 | null | undefined;
function nativeCrc32(): Crc32 | null {
  if (native === undefined) native = (createRequire(import.meta.url)("node:zlib") as { crc32?: Crc32 }).crc32 ?? null;
  return native;
}

/** Slicing-by-8 tables: table k maps a byte to its CRC contribution k bytes further on. */
let tables: Int32Array | undefined;

function makeTables(): Int32Array {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** CRC-32 in JavaScript, eight bytes per step. */
function portableCrc32(d: Uint8Array, start: number): number {
  const t = (tables ??= makeTables());
  let c = ~start;
  let i = 0;
  const end8 = d.length - 7;
  for (; i < end8; i += 8) {
    const a = (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) ^ c;
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + d[i + 4]!]! ^
      t[512 + d[i + 5]!]! ^
      t[256 + d[i + 6]!]! ^
      t[d[i + 7]!]!;
  }
  for (; i < d.length; i++) c = t[(c ^ d[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data`, continuing from `start` (the CRC of what came before), as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start = 0): number {
  if (data.length >= NATIVE_FROM) {
    const fn = nativeCrc32();
    if (fn) return fn(data, start);
  }
  return portableCrc32(data, start);
}

/** A CRC-32 as the 8 lowercase hex digits files record it with. */
export function crcHex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}
