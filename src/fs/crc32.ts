/**
 * CRC-32 (the polynomial of gzip, PNG and zlib), shared by the file and HDF5 stores to detect damaged
 * bytes on every read.
 *
 * Three implementations, one result: the optional package `@node-rs/crc32` (SIMD; 5–10 GB/s, used for
 * inputs of 64 KiB and more when installed, so that checking a 100 MB value costs ~10 ms instead of ~50),
 * `zlib.crc32` (Node ≥ 20.15; about 2 GB/s, 0.3 µs for an 800-byte call record) and a slicing-by-8 table
 * in JavaScript (about 1 GB/s; faster than a native call below ~128 bytes). Loading
 * node:zlib costs about 2 ms, which the first cache hit of a short-lived process should not pay: inputs
 * under 64 KiB use the table until zlib is loaded. The first of them schedules the load for when the event
 * loop is idle (an unreferenced immediate: it never delays the process's exit), and once the table has
 * checksummed 1 MiB (1–2 ms of work: the load has then paid for itself, as in renting skis until their
 * price is spent) zlib is loaded at once. Larger inputs load it at once. On older Node versions the table
 * serves every size.
 */
import { createRequire } from "node:module";

type Crc32 = (data: Uint8Array, start?: number) => number;

/** Inputs shorter than this stay in JavaScript: a native call does not pay off. */
const NATIVE_FROM = 128;
/** Inputs from this size load zlib at once: its 2 ms are small next to checksumming them. */
const LOAD_NOW_FROM = 64 * 1024;

/** zlib's CRC-32 once loaded (null when this Node has none). */
let native: Crc32 | null | undefined;
let loadScheduled = false;
/** Bytes the table checksummed while zlib was not loaded. */
let tableBytes = 0;
/** Once the table has done this much, loading zlib costs less than continuing without it. */
const LOAD_AFTER_BYTES = 1024 * 1024;

function loadNative(): Crc32 | null {
  native ??= (createRequire(import.meta.url)("node:zlib") as { crc32?: Crc32 }).crc32 ?? null;
  return native;
}

/** `@node-rs/crc32` once looked up (null when it is not installed or cannot load on this platform). */
let simd: Crc32 | null | undefined;

function loadSimd(): Crc32 | null {
  if (simd === undefined) {
    try {
      simd = (createRequire(import.meta.url)("@node-rs/crc32") as { crc32: Crc32 }).crc32;
    } catch {
      simd = null; // optional: the zlib and table versions compute the same CRC, only slower
    }
  }
  return simd;
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
  if (data.length >= LOAD_NOW_FROM) {
    const fast = simd ?? loadSimd();
    if (fast) return fast(data, start);
  }
  if (data.length >= NATIVE_FROM) {
    if (native) return native(data, start);
    if (native === undefined) {
      if (data.length >= LOAD_NOW_FROM || tableBytes >= LOAD_AFTER_BYTES) {
        const fn = loadNative();
        if (fn) return fn(data, start);
      } else if (!loadScheduled) {
        loadScheduled = true;
        setImmediate(loadNative).unref();
      }
      tableBytes += data.length;
    }
  }
  return portableCrc32(data, start);
}

/** A CRC-32 as the 8 lowercase hex digits files record it with. */
export function crcHex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}
