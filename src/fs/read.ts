/**
 * Reading files by descriptor, whole or in pipelined chunks. Small files are read synchronously (a few
 * microseconds from the page cache); large ones in chunks through the thread pool, each chunk handed to
 * the caller as soon as it has arrived, so a checksum of the chunks already read overlaps the reading of
 * the next ones instead of adding to it.
 */
import { read as readCallback, readSync } from "node:fs";
import { promisify } from "node:util";

const readAsync = promisify(readCallback);

/** `size` bytes from the start of `fd` (the file may have been replaced, never changed in place). */
export function readWhole(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const n = readSync(fd, bytes, offset, size - offset, offset);
    if (n === 0) break;
    offset += n;
  }
  return offset === size ? bytes : bytes.subarray(0, offset);
}

/**
 * Chunks of a large read: big enough that thread-pool round trips do not count (25 per 100 MB), small
 * enough that the main thread's checksum of the last one adds little. With the SIMD CRC-32 (about 7 GB/s)
 * 4 MiB measured faster than 1 MiB on 2 cores: a 100 MB load at 1.07–1.13× one readSync, against
 * 1.18–1.25× with 1 MiB chunks (bench/sections/20-file.ts, section e).
 */
const READ_CHUNK = 4 * 1024 * 1024;
/** Reads kept in flight, so the thread pool reads the next chunks while the main thread checks this one. */
const IN_FLIGHT = 3;

/**
 * `length` bytes at `position` of `fd`, through the thread pool, into an exactly sized, aligned buffer.
 * Each chunk is handed to `consume`, in order, as soon as it has arrived, while later chunks are being
 * read. Fewer bytes come back when the file ends early.
 */
export async function readChunked(fd: number, position: number, length: number, consume: (chunk: Uint8Array) => void): Promise<Buffer> {
  const bytes = Buffer.allocUnsafeSlow(length);
  const reads: Promise<number>[] = [];
  let next = 0;
  const issue = () => {
    if (next >= length) return;
    const offset = next;
    const size = Math.min(READ_CHUNK, length - offset);
    next += size;
    reads.push(readFull(fd, bytes, offset, size, position + offset));
  };
  for (let i = 0; i < IN_FLIGHT; i++) issue();
  let done = 0;
  try {
    while (reads.length) {
      const got = await reads.shift()!;
      issue();
      consume(bytes.subarray(done, done + got));
      done += got;
      if (got < Math.min(READ_CHUNK, length - (done - got))) break; // the file ended early
    }
  } finally {
    await Promise.allSettled(reads); // never leave a read writing into the buffer
  }
  return done === length ? bytes : bytes.subarray(0, done);
}

/** Fill `bytes[offset, offset + size)` from `fd` at `position`; fewer bytes when the file ends. */
async function readFull(fd: number, bytes: Buffer, offset: number, size: number, position: number): Promise<number> {
  let got = 0;
  while (got < size) {
    const { bytesRead } = await readAsync(fd, bytes, offset + got, size - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
