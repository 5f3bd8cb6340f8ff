/**
 * A growable byte buffer that the digest encoder writes into, and that hashes what it holds.
 *
 * Small encodings are hashed in one `crypto.hash` call (about 4× cheaper than `createHash` for tiny
 * inputs). Big binary chunks (typed arrays, buffers) are not copied: the writer switches to a streaming
 * `createHash`, flushes the bytes it holds so far, and feeds the chunk as a view. The hashed byte
 * stream is identical either way, so the digest does not depend on which path was taken.
 */
import { createHash, hash, type Hash } from "node:crypto";
import { endianness } from "node:os";
import { Tag } from "./tags.js";

/** Binary chunks at least this big are streamed into the hash instead of being copied. */
export const STREAM_THRESHOLD = 16 * 1024;

const INITIAL_CAPACITY = 4 * 1024;
/** After a digest that grew the buffer beyond this, drop it so one huge value does not pin memory. */
const RETAIN_CAPACITY = 1024 * 1024;
/** Views of the first N bytes are cached per length: creating a view costs as much as hashing 100 bytes. */
const CACHED_VIEWS = 1024;
/** Short ASCII strings are copied by a JS loop: up to about this length it beats a native write call. */
const SHORT_STRING = 24;
/** Longer strings are measured before they are written, so the buffer never over-reserves much. */
const LONG_STRING = 64 * 1024;

/** Scratch space to read a float64's bytes (in host order). */
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN_HOST = endianness() === "LE";

export class ByteWriter {
  buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  pos = 0;
  /** While > 0 (inside a Map or Set, whose entries are sorted afterwards) big chunks are copied, not streamed. */
  noStream = 0;
  private hasher: Hash | null = null;
  private views: (Uint8Array | undefined)[] = [];

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    this.views = [];
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte. */
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.pos++] = n;
  }

  /** A float64 in little-endian order; every NaN is written as the canonical quiet NaN 0x7FF8000000000000. */
  float64(x: number): void {
    this.ensure(8);
    const buf = this.buf;
    const p = this.pos;
    this.pos = p + 8;
    if (x !== x) {
      buf[p] = buf[p + 1] = buf[p + 2] = buf[p + 3] = buf[p + 4] = buf[p + 5] = 0;
      buf[p + 6] = 0xf8;
      buf[p + 7] = 0x7f;
      return;
    }
    // Through a scratch Float64Array: Buffer#writeDoubleLE validates its arguments on every call.
    f64[0] = x;
    if (LITTLE_ENDIAN_HOST) {
      for (let i = 0; i < 8; i++) buf[p + i] = f64Bytes[i]!;
    } else {
      for (let i = 0; i < 8; i++) buf[p + i] = f64Bytes[7 - i]!;
    }
  }

  /** A string value: tag String + UTF-8, or tag String16 + UTF-16LE when it holds lone surrogates. */
  string(s: string): void {
    const n = s.length;
    if (n <= SHORT_STRING && this.asciiShort(s, n)) return;
    if (!isWellFormed(s)) {
      // UTF-8 would replace lone surrogates by U+FFFD and make "\uD800" collide with "\uFFFD".
      this.byte(Tag.String16);
      this.varint(n);
      this.ensure(2 * n);
      this.pos += this.buf.write(s, this.pos, "utf16le");
      return;
    }
    if (n > LONG_STRING) {
      // Exact size first, rather than reserving 3 bytes per character of a huge string.
      const byteLength = Buffer.byteLength(s, "utf8");
      this.byte(Tag.String);
      this.varint(byteLength);
      this.ensure(byteLength);
      this.pos += this.buf.write(s, this.pos, byteLength, "utf8");
      return;
    }
    // Write the UTF-8 after room for the length prefix it would need if it were ASCII (the shortest
    // possible), and move it right in the rare case the prefix needs more: one native call, no separate
    // byteLength pass.
    const reserved = varintSize(n);
    this.ensure(1 + varintSize(3 * n) + 3 * n);
    const at = this.pos + 1 + reserved;
    const byteLength = this.buf.write(s, at, "utf8");
    const size = varintSize(byteLength);
    if (size !== reserved) this.buf.copyWithin(this.pos + 1 + size, at, at + byteLength);
    this.buf[this.pos++] = Tag.String;
    this.varint(byteLength);
    this.pos += byteLength;
  }

  /** Fast path for short ASCII strings: their byte length is their length, known before copying. */
  private asciiShort(s: string, n: number): boolean {
    this.ensure(n + 2);
    const buf = this.buf;
    let p = this.pos + 2;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p++] = c;
    }
    buf[this.pos] = Tag.String;
    buf[this.pos + 1] = n;
    this.pos = p;
    return true;
  }

  /**
   * Raw bytes. Chunks of {@link STREAM_THRESHOLD} bytes or more are streamed as views (no copy) unless a
   * Map/Set is being encoded, where every byte must stay in the buffer to be sorted.
   */
  bytes(chunk: Uint8Array): void {
    if (chunk.length >= STREAM_THRESHOLD && this.noStream === 0) {
      const hasher = (this.hasher ??= createHash("sha256"));
      hasher.update(this.view(this.pos));
      this.pos = 0;
      hasher.update(chunk);
      return;
    }
    this.ensure(chunk.length);
    this.buf.set(chunk, this.pos);
    this.pos += chunk.length;
  }

  /** Copy `bytes[from, to)`; a loop, since the ranges are a few bytes and `set` has a fixed cost. */
  copyRange(bytes: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    const buf = this.buf;
    let p = this.pos;
    for (let i = from; i < to; i++) buf[p++] = bytes[i]!;
    this.pos = p;
  }

  /** Sort the byte regions `[start, ends[0])`, `[ends[0], ends[1])`, ... of the buffer in place, bytewise. */
  sortRegions(start: number, ends: readonly number[]): void {
    if (ends.length < 2) return;
    const regions: Buffer[] = [];
    let from = start;
    for (const end of ends) {
      regions.push(this.buf.subarray(from, end));
      from = end;
    }
    let sorted = true;
    for (let i = 1; i < regions.length && sorted; i++) sorted = Buffer.compare(regions[i - 1]!, regions[i]!) <= 0;
    if (sorted) return;
    regions.sort(Buffer.compare);
    // concat copies the regions before the buffer they view is overwritten.
    Buffer.concat(regions, from - start).copy(this.buf, start);
  }

  /** The hex SHA-256 of everything written since the last reset; then reset. */
  finish(): string {
    let hex: string;
    if (this.hasher === null) {
      hex = hash("sha256", this.view(this.pos), "hex");
    } else {
      this.hasher.update(this.view(this.pos));
      hex = this.hasher.digest("hex");
    }
    this.reset();
    return hex;
  }

  /** The hex SHA-256 of the first `length` bytes, leaving the buffer as it is (call keys reuse a prefix). */
  hashPrefix(length: number): string {
    return hash("sha256", this.view(length), "hex");
  }

  /** A copy of the bytes written so far. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  reset(): void {
    this.pos = 0;
    this.noStream = 0;
    this.hasher = null;
    if (this.buf.length > RETAIN_CAPACITY) {
      this.buf = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
      this.views = [];
    }
  }

  /** A view of the first `length` bytes, cached for small lengths. */
  private view(length: number): Uint8Array {
    if (length >= CACHED_VIEWS) return this.buf.subarray(0, length);
    return (this.views[length] ??= new Uint8Array(this.buf.buffer, this.buf.byteOffset, length));
  }
}

/** `String.prototype.isWellFormed` (Node 20 has it; the ES2022 lib typings do not): no lone surrogates. */
function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Bytes of the LEB128 encoding of `n`. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}
