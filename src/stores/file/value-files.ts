/**
 * Reading and writing value files. The hot path stays on the calling thread: a file of up to
 * {@link SYNC_LIMIT} bytes is read or written with synchronous calls (a few microseconds from the page
 * cache, where a thread-pool round trip costs tens), larger ones go through the thread pool so the event
 * loop keeps running. A large file's payload is read in chunks straight into a buffer of its exact size
 * while the main thread checksums the chunks already read, so the check hides behind the I/O and a raw
 * typed array comes back without a copy.
 *
 * Every read checks before it decodes: the length, then the signature (signed stores) or the check value
 * (every other store), then decompression bounded by the recorded decoded length, and only then
 * deserialization.
 */
import { closeSync, fstatSync, readSync } from "node:fs";
import { close as closeCallback } from "node:fs";
import { promisify } from "node:util";
import { endianness } from "node:os";
import { writeFileAtomic, writeFileAtomicSync } from "../../fs/atomic.js";
import { crc32 } from "../../fs/crc32.js";
import { readChunked, readWhole } from "../../fs/read.js";
import { CacheMiss, FlecheError, SaveError } from "../../errors.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { binaryType, bytesOf, fromBytes, type BinaryValue } from "../../serializers/binary.js";
import { serializerNamed } from "../../serializers/index.js";
import type { Serializer } from "../../serializers/types.js";
import type { EntryNode } from "../destructure.js";
import { compress, decompress, DecompressionProblem, type Compression } from "./compression.js";
import { CHECK_OFFSET, EnvelopeProblem, checkValue, checkedPart, headerLine, lengthProblem, parseHead, payloadOf, signedRest, valueDomain, type Head, type Header } from "./envelope.js";
import type { Signer } from "./signing.js";
import { openIfExists } from "./open.js";
import { integrity } from "./integrity.js";
import { Corrupt, decodeWith, type Decoded } from "./decoded.js";

export { Corrupt, type Decoded } from "./decoded.js";

/** Files up to this size are read and written synchronously. */
export const SYNC_LIMIT = 256 * 1024;

/** The first read of a large file, which holds its header line (longer lines are read whole). */
const HEAD_CHUNK = 64 * 1024;

const closeAsync = promisify(closeCallback);

/** Raw payloads are little-endian by definition; a big-endian host serializes binary data instead. */
const RAW = endianness() === "LE";

/** A value file read and checked: header and decoded payload (not yet deserialized). */
export interface ValueFile {
  readonly header: Header;
  /** The payload, decompressed. */
  readonly payload: Uint8Array;
  /** The payload fills its own aligned ArrayBuffer and may be used in place. */
  readonly owned: boolean;
}

/** A large binary value's file, written before its key is known; {@link LargeRaw.check} fills in the check value. */
export interface LargeRaw {
  readonly chunks: readonly Uint8Array[];
  /** The bytes to write at `offset` once the key is known (the check value covers the key). */
  check(key: string): { readonly offset: number; readonly bytes: Uint8Array };
}

/** Reads and writes the value files of one store. */
export class ValueFiles {
  constructor(
    private readonly signer: Signer,
    private readonly compression: Compression | false,
    private readonly serializer: Serializer,
  ) {}

  // ---- writing ----

  /** Write the entry `node` under `key` at `path`. @throws SaveError when it cannot be encoded or written. */
  write(key: string, path: string, node: EntryNode): MaybePromise<void> {
    const { header, payload } = this.#encode(node);
    const finish = (stored: Uint8Array, sync: boolean): MaybePromise<void> => {
      const { s: serializer, n: decoded, ...rest } = header;
      const stamped: Header = this.compression ? { s: serializer, n: stored.byteLength, z: this.compression, u: decoded, ...rest } : header;
      const head = headerLine(key, stamped, stored, this.signer);
      return writeFile(path, [head, stored], sync && head.length + stored.length <= SYNC_LIMIT);
    };
    if (!this.compression) return finish(payload, true);
    // Only the payload is compressed: the header line stays readable, so it can be checked first.
    const packed = compress(this.compression, payload, payload.byteLength <= SYNC_LIMIT);
    return isPromise(packed) ? packed.then((bytes) => finish(bytes, false)) : finish(packed, true);
  }

  /**
   * The file of `value` when it is a large binary value whose bytes do not depend on its key (raw,
   * unsigned: a signature covers the key; uncompressed), so it can be written before the key is known:
   * its chunks, and how to fill in the check value (which covers the key) once the key is known. Else
   * undefined.
   */
  largeRaw(value: unknown): LargeRaw | undefined {
    if (!RAW || this.signer.enabled || this.compression || typeof value !== "object" || value === null) return undefined;
    const type = binaryType(value);
    if (!type) return undefined;
    const payload = bytesOf(value as BinaryValue);
    if (payload.byteLength <= SYNC_LIMIT) return undefined;
    const line = headerLine(undefined, { s: "raw", n: payload.byteLength, t: type }, payload, this.signer);
    return {
      chunks: [line, payload],
      check: (key) => {
        const head = envelope(() => parseHead(line))!;
        const check = checkValue(crc32(payload), checkedPart(line, head), key);
        return { offset: CHECK_OFFSET, bytes: Buffer.from(check.toString(16).padStart(8, "0"), "latin1") };
      },
    };
  }

  #encode(node: EntryNode): { header: Header; payload: Uint8Array } {
    if (node.kind === "whole") {
      const value = node.value;
      const type = RAW && typeof value === "object" && value !== null ? binaryType(value) : undefined;
      if (type) {
        const payload = bytesOf(value as BinaryValue);
        return { header: { s: "raw", n: payload.byteLength, t: type }, payload };
      }
      const { bytes, tagged } = this.serializer.encode(value);
      return { header: { s: this.serializer.name, n: bytes.byteLength, ...(tagged ? { k: 1 } : {}) }, payload: bytes };
    }
    const { bytes, tagged } = this.serializer.encode(node.items);
    const header: Header = {
      s: this.serializer.name,
      n: bytes.byteLength,
      ...(tagged ? { k: 1 as const } : {}),
      d: node.kind,
      c: node.children,
      r: node.slots,
      ...(node.nullPrototype ? { p: 1 as const } : {}),
    };
    return { header, payload: bytes };
  }

  // ---- reading ----

  /**
   * Read and check the value file at `path` (envelope, length, then the signature or the check value),
   * and decompress its payload.
   * @throws CacheMiss when there is no file; Corrupt when it cannot be used; FlecheError when it cannot be read.
   */
  read(key: string, path: string): MaybePromise<ValueFile> {
    const fd = openEntry(key, path);
    let size: number;
    try {
      size = fstatSync(fd).size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (size > SYNC_LIMIT) return this.#readLarge(key, path, fd, size);
    let bytes: Buffer;
    try {
      bytes = readWhole(fd, size);
    } catch (error) {
      throw readError(path, error);
    } finally {
      closeSync(fd);
    }
    return this.#checkWhole(key, bytes, true);
  }

  /** Check a whole file in memory and decompress its payload. */
  #checkWhole(key: string, bytes: Uint8Array, sync: boolean): MaybePromise<ValueFile> {
    const head = envelope(() => parseHead(bytes));
    if (!head) throw new Corrupt("truncated inside the header line");
    const stored = envelope(() => payloadOf(bytes, head));
    if (this.signer.enabled) {
      this.#checkSignature(head, this.signer.begin(valueDomain(key), [signedRest(bytes, head), stored]));
    } else if (integrity.check && checkValue(crc32(stored), checkedPart(bytes, head), key) !== head.check) {
      throw checkFailed();
    }
    return inflate(head.header, stored, sync, false);
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
      if (!head) return await this.#checkWhole(key, await readChunked(fd, 0, size, () => {}), false); // a header longer than the chunk
      const length = size - head.payloadStart;
      if (length !== head.header.n) throw new Corrupt(lengthProblem(length, head.header.n));
      let feed: (chunk: Uint8Array) => void;
      let verify: () => void;
      if (this.signer.enabled) {
        const pending = this.signer.begin(valueDomain(key), [signedRest(start, head)]);
        feed = (chunk) => pending.update(chunk);
        verify = () => this.#checkSignature(head, pending);
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

  #checkSignature(head: Head, pending: ReturnType<Signer["begin"]>): void {
    if (!head.signature) throw new Corrupt("it is not signed, but this store requires signatures");
    if (!pending.matches(head.signature)) throw new Corrupt("it failed its signature check (tampered, truncated or signed with another key)");
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
    const { header } = file;
    if (header.s === "raw" && header.d === undefined) {
      try {
        return { whole: fromBytes(header.t!, file.payload, file.owned) };
      } catch (error) {
        throw new Corrupt(`its raw payload does not decode (${(error as Error).message})`);
      }
    }
    const serializer = serializerNamed(header.s);
    if (!serializer) throw new Corrupt(`it names an unknown serializer '${header.s}'`, true);
    if (!serializer.ready) return serializer.load().then(() => decodeWith(serializer, file));
    return decodeWith(serializer, file);
  }
}

function envelope<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EnvelopeProblem) throw new Corrupt(error.message, error.newer);
    throw error;
  }
}

function checkFailed(): Corrupt {
  return new Corrupt("it failed its checksum (damaged, or a file of another key)");
}

function headerOf(bytes: Uint8Array): Header {
  const head = envelope(() => parseHead(bytes));
  if (!head) throw new Corrupt("truncated inside the header line");
  return head.header;
}

/** The decoded payload of a checked file: decompressed (bounded by its recorded length) when compressed. */
function inflate(header: Header, stored: Uint8Array, sync: boolean, owned: boolean): MaybePromise<ValueFile> {
  if (header.z === undefined) return { header, payload: stored, owned };
  let out: MaybePromise<Uint8Array>;
  try {
    out = decompress(header.z, stored, header.u!, sync);
  } catch (error) {
    throw asCorrupt(error);
  }
  if (!isPromise(out)) return { header, payload: out, owned: false };
  return out.then(
    (payload) => ({ header, payload, owned: false }),
    (error: unknown) => Promise.reject(asCorrupt(error)),
  );
}

/** A decompression failure is corruption; a missing zstd-napi (a FlecheError) is not. */
function asCorrupt(error: unknown): unknown {
  if (error instanceof DecompressionProblem) return new Corrupt(error.message);
  return error;
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
