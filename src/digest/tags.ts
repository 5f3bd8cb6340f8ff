/**
 * The one-byte tags of the Digest v1 encoding. Every encoded value starts with one of these, so values of
 * different kinds can never produce the same bytes (`1` vs `1n` vs `"1"`, an array vs a Set, ...).
 *
 * These numbers are part of the public digest contract (docs/digest.md): changing one changes every digest.
 */
export const Tag = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  /** float64 little-endian, NaN canonicalised, -0 kept. */
  Number: 0x04,
  /** sign byte, varint byte count, big-endian magnitude. */
  BigInt: 0x05,
  /** varint UTF-8 byte length, UTF-8 bytes (well-formed strings). */
  String: 0x06,
  /** varint code-unit count, UTF-16LE code units (strings with lone surrogates, which UTF-8 cannot carry). */
  String16: 0x07,
  Array: 0x10,
  /** An array hole (`[, 1]`), distinct from an `undefined` element. */
  Hole: 0x11,
  Object: 0x12,
  Map: 0x13,
  Set: 0x14,
  Date: 0x15,
  RegExp: 0x16,
  TypedArray: 0x20,
  ArrayBuffer: 0x21,
  SharedArrayBuffer: 0x22,
  DataView: 0x23,
  /** A `Digest` reference nested inside a value. */
  DigestRef: 0x30,
  /** The value returned by a digest hook or a `[Symbol.for("fleche.digest")]()` method. */
  Custom: 0x31,
  Function: 0x32,
  /** A cycle: varint distance up the stack of containers being encoded (1 = the enclosing container). */
  BackRef: 0x3f,
} as const;

/** Element-type codes written after {@link Tag.TypedArray}. */
export const ElementType = {
  Int8: 1,
  Uint8: 2,
  Uint8Clamped: 3,
  Int16: 4,
  Uint16: 5,
  Int32: 6,
  Uint32: 7,
  Float32: 8,
  Float64: 9,
  BigInt64: 10,
  BigUint64: 11,
} as const;
