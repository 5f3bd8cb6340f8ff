/**
 * CRC-32 of dataset contents. HDF5 (with the v1.10 format bounds fleche writes) checksums its own
 * metadata, so a damaged object header or group index is detected by the library; the raw data of a
 * dataset is not covered, so fleche stores a CRC-32 of it in the attribute `fleche_crc32` and checks it
 * on every read. A mismatch makes that entry a miss; other entries in the same file are unaffected.
 *
 * What is checksummed (the "canonical bytes" of a dataset):
 * - numeric datasets: the elements' little-endian bytes, as stored;
 * - string datasets: each string's UTF-8 bytes followed by one zero byte, in order.
 *
 * zlib's CRC-32 (the same polynomial as gzip and PNG) runs at several GB/s through `zlib.crc32`
 * (Node ≥ 20.15); older Node versions fall back to a table-driven version here.
 */
import { createRequire } from "node:module";

type Crc32 = (data: Uint8Array, start?: number) => number;

/** zlib's CRC-32, looked up on first use (loading node:zlib costs milliseconds at start-up). */
let native: Crc32 | null | undefined;
function nativeCrc32(): Crc32 | null {
  if (native === undefined) native = (createRequire(import.meta.url)("node:zlib") as { crc32?: Crc32 }).crc32 ?? null;
  return native;
}

let table: Uint32Array | undefined;

function portableCrc32(data: Uint8Array, start = 0): number {
  table ??= makeTable();
  let crc = ~start >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of `data`, continuing from `start` (the CRC of what came before). */
export function crc32(data: Uint8Array, start = 0): number {
  const fn = nativeCrc32();
  return fn ? fn(data, start) : portableCrc32(data, start);
}

const encoder = new TextEncoder();
const ZERO = new Uint8Array(1);

/** CRC-32 of a numeric array's bytes. */
export function crcOfView(view: ArrayBufferView): number {
  return crc32(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** CRC-32 of strings as a string dataset holds them (UTF-8, each followed by a zero byte). */
export function crcOfStrings(strings: readonly string[]): number {
  let crc = 0;
  for (const s of strings) crc = crc32(ZERO, crc32(encoder.encode(s), crc));
  return crc;
}
