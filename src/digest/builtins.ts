/**
 * The built-in object kinds Digest v1 knows, by exact prototype (subclasses are class instances), and the
 * byte-level helpers their encodings need.
 */
import { endianness } from "node:os";
import { Digest } from "./digest-ref.js";
import { ElementType } from "./tags.js";

/** How built-in objects are encoded, chosen by their exact prototype (subclasses are class instances). */
export const Kind = {
  Map: 0,
  Set: 1,
  Date: 2,
  RegExp: 3,
  TypedArray: 4,
  ArrayBuffer: 5,
  SharedArrayBuffer: 6,
  DataView: 7,
  DigestRef: 8,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export type { TypedArray } from "../typed-array.js";

export const KINDS = new Map<object, Kind>([
  [Map.prototype, Kind.Map],
  [Set.prototype, Kind.Set],
  [Date.prototype, Kind.Date],
  [RegExp.prototype, Kind.RegExp],
  [ArrayBuffer.prototype, Kind.ArrayBuffer],
  [SharedArrayBuffer.prototype, Kind.SharedArrayBuffer],
  [DataView.prototype, Kind.DataView],
  [Digest.prototype, Kind.DigestRef],
]);

/** Element-type code per typed-array prototype. Node's Buffer is a Uint8Array and digests as one. */
export const ELEMENT_TYPES = new Map<object, number>([
  [Int8Array.prototype, ElementType.Int8],
  [Uint8Array.prototype, ElementType.Uint8],
  [Buffer.prototype, ElementType.Uint8],
  [Uint8ClampedArray.prototype, ElementType.Uint8Clamped],
  [Int16Array.prototype, ElementType.Int16],
  [Uint16Array.prototype, ElementType.Uint16],
  [Int32Array.prototype, ElementType.Int32],
  [Uint32Array.prototype, ElementType.Uint32],
  [Float32Array.prototype, ElementType.Float32],
  [Float64Array.prototype, ElementType.Float64],
  [BigInt64Array.prototype, ElementType.BigInt64],
  [BigUint64Array.prototype, ElementType.BigUint64],
]);
for (const proto of ELEMENT_TYPES.keys()) KINDS.set(proto, Kind.TypedArray);

/** Digests hash typed-array elements little-endian; a big-endian host swaps a copy first. */
export const BIG_ENDIAN_HOST = endianness() === "BE";

/** Node 20 has no `ArrayBuffer.prototype.detached`; constructing a view of a detached buffer throws. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0 || !(buffer instanceof ArrayBuffer)) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

export function toLittleEndian(bytes: Uint8Array, width: number): Uint8Array {
  if (width === 1) return bytes;
  const copy = Buffer.from(bytes);
  if (width === 2) copy.swap16();
  else if (width === 4) copy.swap32();
  else copy.swap64();
  return copy;
}

