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
 * The CRC-32 itself is shared with the file store (`src/fs/crc32.ts`).
 */
import { crc32 } from "../../../fs/crc32.js";

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
