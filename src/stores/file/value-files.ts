/**
 * Reading and writing value files. The hot path stays on the calling thread: a file of up to
 * {@link SYNC_LIMIT} bytes is read or written with synchronous calls (a few microseconds from the page
 * cache, where a thread-pool round trip costs tens), larger ones go through the thread pool so the event
 * loop keeps running. A large uncompressed file is read straight into a buffer of the payload's exact
 * size, so a raw typed array comes back without a copy.
 */
import { closeSync, fstatSync, read as readCallback, readSync } from "node:fs";
import { close as closeCallback } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { endianness } from "node:os";
import { writeFileAtomic, writeFileAtomicSync } from "../../fs/atomic.js";
import { CacheMiss, FlecheError, SaveError } from "../../errors.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { binaryType, bytesOf, fromBytes, type BinaryValue } from "../../serializers/binary.js";
import { serializerNamed } from "../../serializers/index.js";
import type { Serializer } from "../../serializers/types.js";
import type { EntryNode, PartsNode } from "../destructure.js";
import { compress, decompress, sniff, type Compression } from "./compression.js";
import { ANY_VERSION, EnvelopeProblem, headerLine, parseHead, payloadOf, signedRest, valueDomain, type Head, type Header } from "./envelope.js";
import type { Signer } from "./signing.js";
import { openIfExists } from "./open.js";

/** Files up to this size are read and written synchronously. */
export const SYNC_LIMIT = 256 * 1024;

/** The first read of a large file, which holds its header line (longer lines are read whole). */
const HEAD_CHUNK = 64 * 1024;

const readAsync = promisify(readCallback);
const closeAsync = promisify(closeCallback);

/** Raw payloads are little-endian by definition; a big-endian host serializes binary data instead. */
const RAW = endianness() === "LE";

/** An entry cannot be used: corrupt, truncated, tampered, or from a newer format. */
export class Corrupt extends Error {
  /** Not corrupt but unreadable by this version: reported, never removed. */
  readonly newer: boolean;

  constructor(reason: string, newer = false) {
    super(reason);
    this.newer = newer;
  }
}

/** A value file read and checked: header and payload (payload not yet deserialized). */
export interface ValueFile {
  readonly header: Header;
  readonly payload: Uint8Array;
  /** The payload fills its own aligned ArrayBuffer and may be used in place. */
  readonly owned: boolean;
}

/** What a value file holds once its payload is decoded. */
export type Decoded = { readonly whole: unknown } | { readonly parts: PartsNode };

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
    const head = headerLine(key, header, payload, this.signer);
    const size = head.length + payload.length;
    if (this.compression) {
      const packed = compress(this.compression, Buffer.concat([head, payload]), size <= SYNC_LIMIT);
      return isPromise(packed) ? packed.then((bytes) => writeFile(path, [bytes], false)) : writeFile(path, [packed], packed.length <= SYNC_LIMIT);
    }
    return writeFile(path, [head, payload], size <= SYNC_LIMIT);
  }

  /**
   * The file of `value` as chunks when it is a large binary value whose file does not depend on its key
   * (raw, unsigned: a signature covers the key; uncompressed), so it can be written before the key is
   * known. Else undefined.
   */
  largeRaw(value: unknown): Uint8Array[] | undefined {
    if (!RAW || this.signer.enabled || this.compression || typeof value !== "object" || value === null) return undefined;
    const type = binaryType(value);
    if (!type) return undefined;
    const payload = bytesOf(value as BinaryValue);
    if (payload.byteLength <= SYNC_LIMIT) return undefined;
    return [headerLine("", { s: "raw", n: payload.byteLength, t: type }, payload, this.signer), payload];
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
   * Read and check the value file at `path` (envelope, length and, when signing, the signature).
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
    if (size > SYNC_LIMIT) return this.#readLarge(key, fd, size);
    let bytes: Buffer;
    try {
      bytes = readWhole(fd, size);
    } catch (error) {
      throw readError(path, error);
    } finally {
      closeSync(fd);
    }
    return this.#unpack(key, bytes, true);
  }

  async #readLarge(key: string, fd: number, size: number): Promise<ValueFile> {
    try {
      const first = Buffer.allocUnsafe(HEAD_CHUNK);
      const got = readSync(fd, first, 0, HEAD_CHUNK, 0);
      const start = first.subarray(0, got);
      if (sniff(start, ANY_VERSION) !== "plain") return await this.#unpack(key, await readRange(fd, 0, size), false);
      const head = envelope(() => parseHead(start));
      if (!head) return await this.#unpack(key, await readRange(fd, 0, size), false); // a header longer than the chunk
      const length = size - head.payloadStart;
      if (length !== head.header.n) throw new Corrupt(`truncated: ${length} of ${head.header.n} payload bytes`);
      const payload = await readRange(fd, head.payloadStart, length);
      this.#checkSignature(key, head, signedRest(start, head), payload);
      return { header: head.header, payload, owned: true };
    } finally {
      await closeAsync(fd);
    }
  }

  /** Decompress if needed, then parse and check the envelope in `bytes`. */
  #unpack(key: string, bytes: Uint8Array, sync: boolean): MaybePromise<ValueFile> {
    const kind = sniff(bytes, ANY_VERSION);
    if (kind === "plain") return this.#check(key, bytes);
    let plain: MaybePromise<Uint8Array>;
    try {
      plain = decompress(kind, bytes, sync);
    } catch (error) {
      throw notCompressed(kind, error);
    }
    if (!isPromise(plain)) return this.#check(key, plain, kind);
    return plain.then(
      (p) => this.#check(key, p, kind),
      (error: unknown) => {
        throw error instanceof FlecheError ? error : notCompressed(kind, error); // a missing zstd-napi is not corruption
      },
    );
  }

  #check(key: string, bytes: Uint8Array, compression?: Compression): ValueFile {
    if (compression && sniff(bytes, ANY_VERSION) !== "plain") {
      throw new Corrupt(`not a fleche value file (it ${compression === "brotli" ? "is not a known format" : `decompresses as ${compression}, but not to a fleche envelope`})`);
    }
    const head = envelope(() => parseHead(bytes));
    if (!head) throw new Corrupt("truncated inside the header line");
    const payload = envelope(() => payloadOf(bytes, head));
    this.#checkSignature(key, head, signedRest(bytes, head), payload);
    return { header: head.header, payload, owned: false };
  }

  #checkSignature(key: string, head: Head, rest: Uint8Array, payload: Uint8Array): void {
    if (!this.signer.enabled) return;
    if (!head.signature) throw new Corrupt("it is not signed, but this store requires signatures");
    if (!this.signer.verify(valueDomain(key), [rest, payload], head.signature)) {
      throw new Corrupt("it failed its signature check (tampered, truncated or signed with another key)");
    }
  }

  /**
   * The header of the value file at `path` without checking the payload or signature (listings and gc
   * only need the child keys).
   */
  readHeader(key: string, path: string): MaybePromise<Header> {
    const fd = openEntry(key, path);
    try {
      const size = fstatSync(fd).size;
      let first: Buffer;
      try {
        first = readWhole(fd, Math.min(size, HEAD_CHUNK));
      } catch (error) {
        throw readError(path, error);
      }
      if (sniff(first, ANY_VERSION) === "plain") {
        const head = envelope(() => parseHead(first));
        if (head) return head.header;
      }
      if (size <= SYNC_LIMIT) return this.#unpackHeader(size === first.length ? first : readWhole(fd, size), true);
    } finally {
      closeSync(fd);
    }
    return readFile(path).then((bytes) => this.#unpackHeader(bytes, false));
  }

  #unpackHeader(bytes: Uint8Array, sync: boolean): MaybePromise<Header> {
    const kind = sniff(bytes, ANY_VERSION);
    const parse = (plain: Uint8Array): Header => {
      const head = envelope(() => parseHead(plain));
      if (!head) throw new Corrupt("truncated inside the header line");
      return head.header;
    };
    if (kind === "plain") return parse(bytes);
    let plain: MaybePromise<Uint8Array>;
    try {
      plain = decompress(kind, bytes, sync);
    } catch (error) {
      throw notCompressed(kind, error);
    }
    return isPromise(plain) ? plain.then(parse, (e: unknown) => Promise.reject(e instanceof FlecheError ? e : notCompressed(kind, e))) : parse(plain);
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

function decodeWith(serializer: Serializer, file: ValueFile): Decoded {
  const { header } = file;
  let value: unknown;
  try {
    value = serializer.decode(file.payload, header.k === 1);
  } catch (error) {
    throw new Corrupt(`its ${serializer.name} payload does not decode (${(error as Error).message})`);
  }
  if (header.d === undefined) return { whole: value };
  if (!Array.isArray(value) || header.r!.some((slot) => slot >= value.length)) throw new Corrupt("its parts do not match its header");
  return { parts: { kind: header.d, items: value, slots: header.r!, children: header.c!, ...(header.p === 1 ? { nullPrototype: true } : {}) } };
}

function envelope<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EnvelopeProblem) throw new Corrupt(error.message, error.newer);
    throw error;
  }
}

function notCompressed(kind: Compression, error: unknown): Corrupt {
  return kind === "brotli"
    ? new Corrupt("not a fleche value file (no known header or compression)")
    : new Corrupt(`its ${kind} data is corrupt (${(error as Error).message})`);
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

/** `size` bytes from the start of `fd` (the file may have been replaced, never changed in place). */
function readWhole(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const n = readSync(fd, bytes, offset, size - offset, offset);
    if (n === 0) break;
    offset += n;
  }
  return offset === size ? bytes : bytes.subarray(0, offset);
}

/** `length` bytes at `position` of `fd`, through the thread pool, into an exactly sized, aligned buffer. */
async function readRange(fd: number, position: number, length: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafeSlow(length);
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await readAsync(fd, bytes, offset, length - offset, position + offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return offset === length ? bytes : bytes.subarray(0, offset);
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
