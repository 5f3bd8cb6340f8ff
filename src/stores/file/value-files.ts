/**
 * Reading and writing value files. The hot path stays on the calling thread: a file of up to
 * {@link SYNC_LIMIT} bytes is read or written with synchronous calls (a few microseconds from the page
 * cache, where a thread-pool round trip costs tens), larger ones go through the thread pool so the event
 * loop keeps running. A large file's payload is read in chunks straight into a buffer of its exact size
 * while the main thread checksums the chunks already read, so the check hides behind the I/O and a raw
 * typed array comes back without a copy.
 *
 * Every read checks before it decodes (the codec's checks, `../envelope/codec.ts`); large files are
 * checked chunk by chunk as they arrive.
 */
import { closeSync, fstatSync, readSync } from "node:fs";
import { close as closeCallback } from "node:fs";
import { promisify } from "node:util";
import { writeFileAtomic, writeFileAtomicSync } from "../../fs/atomic.js";
import { crc32 } from "../../fs/crc32.js";
import { readChunked, readWhole } from "../../fs/read.js";
import { CacheMiss, FlecheError, SaveError } from "../../errors.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { binaryType, bytesOf, type BinaryValue } from "../../serializers/binary.js";
import type { EntryNode } from "../destructure.js";
import { CHECK_OFFSET, checkValue, checkedPart, headerLine, lengthProblem, parseHead, signedRest, valueDomain, type Header } from "../envelope/envelope.js";
import { openIfExists } from "./open.js";
import { integrity } from "../envelope/integrity.js";
import { Corrupt, type Decoded } from "../envelope/decoded.js";
import { RAW, SYNC_LIMIT, checkFailed, envelope, headerOf, inflate, type CheckedEntry, type EntryCodec } from "../envelope/codec.js";

export { Corrupt, type Decoded } from "../envelope/decoded.js";

/** Files up to this size are read and written synchronously. */
export { SYNC_LIMIT } from "../envelope/codec.js";

/** The first read of a large file, which holds its header line (longer lines are read whole). */
const HEAD_CHUNK = 64 * 1024;

const closeAsync = promisify(closeCallback);

/** A value file read and checked: header and decoded payload (not yet deserialized). */
export type ValueFile = CheckedEntry;

/** A large binary value's file, written before its key is known; {@link LargeRaw.check} fills in the check value. */
export interface LargeRaw {
  readonly chunks: readonly Uint8Array[];
  /** The bytes to write at `offset` once the key is known (the check value covers the key). */
  check(key: string): { readonly offset: number; readonly bytes: Uint8Array };
}

/** Reads and writes the value files of one store; the bytes themselves are the codec's. */
export class ValueFiles {
  constructor(private readonly codec: EntryCodec) {}

  // ---- writing ----

  /** Write the entry `node` under `key` at `path`. @throws SaveError when it cannot be encoded or written. */
  write(key: string, path: string, node: EntryNode): MaybePromise<void> {
    const encoded = this.codec.encode(key, node);
    if (isPromise(encoded)) return encoded.then((chunks) => writeFile(path, chunks, false));
    return writeFile(path, encoded, encoded[0].length + encoded[1].length <= SYNC_LIMIT);
  }

  /**
   * The file of `value` when it is a large binary value whose bytes do not depend on its key (raw,
   * unsigned: a signature covers the key; uncompressed), so it can be written before the key is known:
   * its chunks, and how to fill in the check value (which covers the key) once the key is known. Else
   * undefined.
   */
  largeRaw(value: unknown): LargeRaw | undefined {
    const { signer, compression } = this.codec;
    if (!RAW || signer.enabled || compression || typeof value !== "object" || value === null) return undefined;
    const type = binaryType(value);
    if (!type) return undefined;
    const payload = bytesOf(value as BinaryValue);
    if (payload.byteLength <= SYNC_LIMIT) return undefined;
    const line = headerLine(undefined, { s: "raw", n: payload.byteLength, t: type }, payload, signer);
    return {
      chunks: [line, payload],
      check: (key) => {
        const head = envelope(() => parseHead(line))!;
        const check = checkValue(crc32(payload), checkedPart(line, head), key);
        return { offset: CHECK_OFFSET, bytes: Buffer.from(check.toString(16).padStart(8, "0"), "latin1") };
      },
    };
  }

  // ---- reading ----

  /**
   * Read and check the value file at `path` (envelope, length, then the signature or the check value),
   * and decompress its payload.
   * @throws CacheMiss when there is no file; Corrupt when it cannot be used; FlecheError when it cannot be read.
   */
  read(key: string, path: string): MaybePromise<ValueFile> {
    const { fd, size } = openSized(key, path);
    if (size > SYNC_LIMIT) return this.#readLarge(key, path, fd, size);
    let bytes: Buffer;
    try {
      bytes = readWhole(fd, size);
    } catch (error) {
      throw readError(path, error);
    } finally {
      closeSync(fd);
    }
    return this.codec.check(key, bytes, true);
  }

  /** The whole file at `path`, unchecked (copied as it is to another store). @throws CacheMiss when absent. */
  readBytes(key: string, path: string): MaybePromise<Uint8Array> {
    const { fd, size } = openSized(key, path);
    if (size > SYNC_LIMIT) {
      return readChunked(fd, 0, size, () => {}).then(
        (bytes) => closeAsync(fd).then(() => bytes),
        (error: unknown) => closeAsync(fd).then(() => Promise.reject(readError(path, error))),
      );
    }
    try {
      return readWhole(fd, size);
    } catch (error) {
      throw readError(path, error);
    } finally {
      closeSync(fd);
    }
  }

  /** Write `chunks` (an envelope checked by the caller) at `path` atomically. */
  writeBytes(path: string, chunks: readonly Uint8Array[]): MaybePromise<void> {
    const size = chunks.reduce((n, c) => n + c.byteLength, 0);
    return writeFile(path, chunks, size <= SYNC_LIMIT);
  }

  /**
   * A large file: the header line from a first synchronous read, then the payload in chunks through the
   * thread pool, checked chunk by chunk while the next ones are read.
   */
  async #readLarge(key: string, path: string, fd: number, size: number): Promise<ValueFile> {
    try {
      const first = Buffer.allocUnsafe(HEAD_CHUNK);
      let got: number;
      try {
        got = readSync(fd, first, 0, HEAD_CHUNK, 0);
      } catch (error) {
        throw readError(path, error);
      }
      const start = first.subarray(0, got);
      const head = envelope(() => parseHead(start));
      if (!head) return await this.codec.check(key, await readChunked(fd, 0, size, () => {}), false); // a header longer than the chunk
      const length = size - head.payloadStart;
      if (length !== head.header.n) throw new Corrupt(lengthProblem(length, head.header.n));
      let feed: (chunk: Uint8Array) => void;
      let verify: () => void;
      const { signer } = this.codec;
      if (signer.enabled) {
        const pending = signer.begin(valueDomain(key), [signedRest(start, head)]);
        feed = (chunk) => pending.update(chunk);
        verify = () => this.codec.checkSignature(head, pending);
      } else if (!integrity.check) {
        feed = () => {};
        verify = () => {};
      } else {
        let crc = 0;
        feed = (chunk) => (crc = crc32(chunk, crc));
        verify = () => {
          if (checkValue(crc, checkedPart(start, head), key) !== head.check) throw checkFailed();
        };
      }
      const stored = await readChunked(fd, head.payloadStart, length, feed);
      if (stored.length !== length) throw new Corrupt(lengthProblem(stored.length, length));
      verify();
      return await inflate(head.header, stored, false, true);
    } finally {
      await closeAsync(fd);
    }
  }

  /**
   * The header of the value file at `path` without checking the payload, its check value or signature
   * (listings and gc only need the child keys).
   */
  readHeader(key: string, path: string): MaybePromise<Header> {
    const fd = openEntry(key, path);
    let whole: Promise<Buffer> | undefined;
    try {
      const size = fstatSync(fd).size;
      let first: Buffer;
      try {
        first = readWhole(fd, Math.min(size, HEAD_CHUNK));
      } catch (error) {
        throw readError(path, error);
      }
      const head = envelope(() => parseHead(first));
      if (head) return head.header;
      if (first.length === size) throw new Corrupt("truncated inside the header line");
      if (size <= SYNC_LIMIT) return headerOf(readWhole(fd, size));
      whole = readChunked(fd, 0, size, () => {});
      const fdToClose = fd;
      return whole.then(headerOf).finally(() => closeSync(fdToClose));
    } finally {
      if (!whole) closeSync(fd);
    }
  }

  /** Deserialize a checked file's payload. @throws Corrupt when the payload does not decode. */
  decode(file: ValueFile): MaybePromise<Decoded> {
    return this.codec.decode(file);
  }
}

/** Open an entry file and read its size; the descriptor is closed again if the size cannot be read. */
function openSized(key: string, path: string): { readonly fd: number; readonly size: number } {
  const fd = openEntry(key, path);
  try {
    return { fd, size: fstatSync(fd).size };
  } catch (error) {
    closeSync(fd);
    throw readError(path, error);
  }
}

/** Open an entry file for reading. @throws CacheMiss when absent; FlecheError naming the path otherwise. */
function openEntry(key: string, path: string): number {
  const fd = openIfExists(path);
  if (fd === undefined) throw new CacheMiss(key, `No value ${key} (${path} does not exist)`);
  return fd;
}

/** A failed read: a directory where an entry should be is unusable (a miss); anything else is an error naming the file. */
export function readError(path: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === "EISDIR") return new Corrupt("it is a directory, not a file");
  return new FlecheError(`Cannot read ${path}: ${(error as Error).message}`, "FLECHE_IO", { cause: error });
}

function writeFile(path: string, chunks: readonly Uint8Array[], sync: boolean): MaybePromise<void> {
  if (sync) {
    try {
      writeFileAtomicSync(path, chunks);
      return;
    } catch (error) {
      throw writeError(path, error);
    }
  }
  return writeFileAtomic(path, chunks).catch((error: unknown) => {
    throw writeError(path, error);
  });
}

/** A failed write as a SaveError naming the file. */
export function writeError(path: string, error: unknown): SaveError {
  return new SaveError(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
}
