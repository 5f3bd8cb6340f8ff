/**
 * `NdArray`: a multi-dimensional numeric array as plain data, a typed array plus a shape, in row-major
 * (C) order like NumPy. JavaScript has no n-dimensional array type, so this small class is the convention
 * fleche's stores use for one: the HDF5 store writes it as one dataset with that shape (h5py reads it
 * back as a NumPy array of the same dtype and shape), every other store keeps it like any class instance.
 * It digests by content (element type, shape and elements), so equal arrays key equally.
 */
import { digestSymbol } from "./digest/index.js";
import type { TypedArray } from "./typed-array.js";

/** The typed arrays an {@link NdArray} can hold: one per HDF5/NumPy numeric dtype. */
export type NumericArray = Exclude<TypedArray, Uint8ClampedArray>;

const NUMERIC_PROTOTYPES = new Set<object>([
  Float64Array.prototype,
  Float32Array.prototype,
  Int8Array.prototype,
  Int16Array.prototype,
  Int32Array.prototype,
  BigInt64Array.prototype,
  Uint8Array.prototype,
  Uint16Array.prototype,
  Uint32Array.prototype,
  BigUint64Array.prototype,
]);

/** True for the exact typed-array types an {@link NdArray} accepts (not Uint8ClampedArray or Buffer). */
export function isNumericArray(value: unknown): value is NumericArray {
  return typeof value === "object" && value !== null && NUMERIC_PROTOTYPES.has(Object.getPrototypeOf(value) as object);
}

/** An n-dimensional array: `data` holds the elements in row-major order, `shape` the extent of each axis. */
export class NdArray<T extends NumericArray = NumericArray> {
  /** The elements, row-major (the last index varies fastest). */
  readonly data: T;
  /** The extent of each axis (frozen); `[]` is a 0-dimensional array holding one element. */
  readonly shape: readonly number[];

  /**
   * @throws TypeError when `data` is not one of the {@link NumericArray} types, or the shape is not a list
   * of non-negative integers whose product is `data.length`.
   */
  constructor(data: T, shape: readonly number[]) {
    if (!isNumericArray(data)) {
      throw new TypeError(`NdArray data must be a Float64Array, Float32Array, (Big)Int*Array or (Big)Uint*Array (not Uint8ClampedArray or Buffer)`);
    }
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new TypeError(`NdArray shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new TypeError(`NdArray shape [${shape.join(", ")}] holds ${size} elements, but data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The element at one index per axis. @throws RangeError when an index is out of bounds. */
  at(...index: number[]): T[number] {
    if (index.length !== this.shape.length) {
      throw new RangeError(`NdArray.at needs ${this.shape.length} indices, got ${index.length}`);
    }
    let flat = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis]!;
      const n = this.shape[axis]!;
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`Index ${i} is out of bounds for axis ${axis} of length ${n}`);
      flat = flat * n + i;
    }
    return this.data[flat] as T[number];
  }

  /** Digests as its element type, shape and elements, so equal arrays key equally across processes. */
  [digestSymbol](): unknown {
    return ["fleche.NdArray", [...this.shape], this.data];
  }
}

/**
 * Make an {@link NdArray}. Without a shape it is one-dimensional.
 * @example ndarray(new Float64Array(6).fill(1), [2, 3])
 */
export function ndarray<T extends NumericArray>(data: T, shape: readonly number[] = [data.length]): NdArray<T> {
  return new NdArray(data, shape);
}
