/**
 * The names of fleche's HDF5 layout (docs/hdf5-format.md is the specification): attribute names, the
 * type tags written into `fleche_type`, and the HDF5 dtype of each typed array. Other tools read the
 * files through these names, so they are a public contract like the digest.
 */
import type { TypedArray } from "../../../typed-array.js";

/** Version of the layout, written as the root attribute `fleche_format` of every file. */
export const FORMAT_VERSION = 1;

/** Attribute names. */
export const Attr = {
  /** Root attribute: the layout version. */
  format: "fleche_format",
  /** Root attribute: "values" or "calls". */
  kind: "fleche_kind",
  /** Every node fleche writes: the JavaScript type it holds (one of {@link Tag}). */
  type: "fleche_type",
  /** Every dataset fleche writes: CRC-32 of its contents (see `checksum.ts`). */
  crc: "fleche_crc32",
  /** RegExp nodes: the flags. */
  flags: "flags",
  /** RegExp nodes with a non-zero lastIndex. */
  lastIndex: "last_index",
  /** Strings stored as UTF-16 code units (they hold a NUL or a lone surrogate): "utf-16". */
  encoding: "encoding",
} as const;

/** Type tags: lowercase for primitives (as `typeof` names them), class names for objects. */
export const Tag = {
  number: "number",
  string: "string",
  boolean: "boolean",
  bigint: "bigint",
  null: "null",
  undefined: "undefined",
  /** A missing element of a sparse array. */
  hole: "hole",
  Date: "Date",
  RegExp: "RegExp",
  Array: "Array",
  Object: "Object",
  NullPrototypeObject: "Object.create(null)",
  Map: "Map",
  Set: "Set",
  ArrayBuffer: "ArrayBuffer",
  SharedArrayBuffer: "SharedArrayBuffer",
  DataView: "DataView",
  Buffer: "Buffer",
  NdArray: "NdArray",
  Digest: "Digest",
  /** A second occurrence of an object: a string dataset holding the path of the first, relative to the entry. */
  Reference: "ref",
  /** A call record: its JSON text. */
  CallRecord: "CallRecord",
} as const;

/** Member names of a Map node. */
export const MapMembers = { keys: "keys", values: "values" } as const;

/** h5wasm dtype strings (NumPy-style, little-endian) of the typed arrays, by constructor name. */
export const TYPED_ARRAY_DTYPES = {
  Float64Array: "<d",
  Float32Array: "<f",
  Int8Array: "<b",
  Int16Array: "<h",
  Int32Array: "<i",
  BigInt64Array: "<q",
  Uint8Array: "<B",
  Uint16Array: "<H",
  Uint32Array: "<I",
  BigUint64Array: "<Q",
  Uint8ClampedArray: "<B",
} as const;

export type TypedArrayName = keyof typeof TYPED_ARRAY_DTYPES;

/** Any typed array. */
export type AnyTypedArray = TypedArray;

/** What the layout needs of a typed-array constructor. */
export interface TypedArrayConstructor {
  new (length: number): AnyTypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): AnyTypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly prototype: object;
}

/** Constructors by name, for decoding tags. */
export const TYPED_ARRAYS: Readonly<Record<TypedArrayName, TypedArrayConstructor>> = {
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigUint64Array,
  Uint8ClampedArray,
};

/** The typed array h5wasm returns for an HDF5 numeric type (class 0 integer, 1 float). */
export function typedArrayNameFor(typeClass: number, size: number, signed: boolean): TypedArrayName | undefined {
  if (typeClass === 1) return size === 8 ? "Float64Array" : size === 4 ? "Float32Array" : undefined;
  if (typeClass !== 0) return undefined;
  switch (size) {
    case 1:
      return signed ? "Int8Array" : "Uint8Array";
    case 2:
      return signed ? "Int16Array" : "Uint16Array";
    case 4:
      return signed ? "Int32Array" : "Uint32Array";
    case 8:
      return signed ? "BigInt64Array" : "BigUint64Array";
    default:
      return undefined;
  }
}

/** HDF5 type classes used by the layout. */
export const TypeClass = { integer: 0, float: 1, string: 3 } as const;
