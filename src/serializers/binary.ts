/**
 * Binary values (typed arrays, Buffer, ArrayBuffer, DataView) by type name: what serializers and the
 * raw file payload need to write their bytes and to rebuild the same type from bytes.
 */

/** A binary value: the window of bytes it shows. */
export type BinaryValue = ArrayBufferView | ArrayBuffer;

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset?: number, length?: number) => ArrayBufferView;

const VIEWS: ReadonlyMap<string, { readonly ctor: ViewConstructor; readonly size: number }> = new Map([
  ["Int8Array", { ctor: Int8Array, size: 1 }],
  ["Uint8Array", { ctor: Uint8Array, size: 1 }],
  ["Uint8ClampedArray", { ctor: Uint8ClampedArray, size: 1 }],
  ["Int16Array", { ctor: Int16Array, size: 2 }],
  ["Uint16Array", { ctor: Uint16Array, size: 2 }],
  ["Int32Array", { ctor: Int32Array, size: 4 }],
  ["Uint32Array", { ctor: Uint32Array, size: 4 }],
  ["Float32Array", { ctor: Float32Array, size: 4 }],
  ["Float64Array", { ctor: Float64Array, size: 8 }],
  ["BigInt64Array", { ctor: BigInt64Array, size: 8 }],
  ["BigUint64Array", { ctor: BigUint64Array, size: 8 }],
  ["DataView", { ctor: DataView, size: 1 }],
] as [string, { ctor: ViewConstructor; size: number }][]);

const NAMES = new Map<object, string>([
  [ArrayBuffer.prototype, "ArrayBuffer"],
  [Buffer.prototype, "Buffer"],
]);
for (const [name, { ctor }] of VIEWS) NAMES.set(ctor.prototype as object, name);

/** The type name of a binary value (`"Float64Array"`, `"Buffer"`, `"ArrayBuffer"`, ...), else undefined. */
export function binaryType(value: object): string | undefined {
  return NAMES.get(Object.getPrototypeOf(value) as object);
}

/** The bytes a binary value shows, without copying. */
export function bytesOf(value: BinaryValue): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** True when `type` is a binary type name this module can rebuild. */
export function isBinaryType(type: string): boolean {
  return type === "ArrayBuffer" || type === "Buffer" || VIEWS.has(type);
}

/**
 * Rebuild a binary value of `type` from `bytes`. When `owned` is true the bytes are exclusively the
 * caller's, fill their whole ArrayBuffer and are aligned, so they are used in place; otherwise they are
 * copied into a fresh, exactly sized buffer (a view into a shared pool or a file buffer must not leak).
 * @throws Error when the type is unknown or the byte count does not fit the element size.
 */
export function fromBytes(type: string, bytes: Uint8Array, owned = false): BinaryValue {
  const buffer = exactBuffer(bytes, owned);
  if (type === "ArrayBuffer") return buffer;
  if (type === "Buffer") return Buffer.from(buffer);
  const view = VIEWS.get(type);
  if (!view) throw new Error(`unknown binary type '${type}'`);
  if (buffer.byteLength % view.size !== 0) throw new Error(`${buffer.byteLength} bytes are not a whole number of ${type} elements`);
  return view.ctor === DataView ? new DataView(buffer) : new view.ctor(buffer, 0, buffer.byteLength / view.size);
}

function exactBuffer(bytes: Uint8Array, owned: boolean): ArrayBuffer {
  const b = bytes.buffer;
  if (owned && b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength) return b;
  return new Uint8Array(bytes).buffer; // copies (Buffer#slice would not)
}
