/**
 * Deep copies for the in-memory store. A memory cache must behave like a persistent one: a value that
 * was stored cannot be changed by mutating the object that was passed in, nor by mutating a loaded copy.
 *
 * `structuredClone` would do for plain data but drops the prototype of class instances, so a cached
 * `Point` would come back as a plain object. This copy keeps prototypes (like Python's deepcopy: the
 * constructor is not called, own properties are copied). ECMAScript `#private` fields cannot be copied
 * by anyone but the class itself; instances that rely on them should be immutable or digested by hooks.
 */
import { isDigest } from "./digest/index.js";

type Cloner = (value: object, seen: Map<object, unknown>) => unknown;

/** A deep copy of `value` that shares nothing mutable with it. Functions and digests are shared as is. */
export function deepClone<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  return cloneObject(value, new Map()) as T;
}

function cloneAny(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  return cloneObject(value, seen);
}

function cloneObject(value: object, seen: Map<object, unknown>): unknown {
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) return cloneArray(value, seen);
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Object.prototype || proto === null) return copyProperties(value, Object.create(proto) as object, seen);
  const special = cloners.get(proto);
  if (special) return special(value, seen);
  if (ArrayBuffer.isView(value)) return cloneView(value, seen);
  if (isDigest(value)) return value;
  return copyProperties(value, Object.create(proto) as object, seen);
}

function cloneArray(source: unknown[], seen: Map<object, unknown>): unknown[] {
  const copy = new Array<unknown>(source.length);
  seen.set(source, copy);
  for (let i = 0; i < source.length; i++) if (i in source) copy[i] = cloneAny(source[i], seen);
  return copy;
}

function copyProperties(source: object, target: object, seen: Map<object, unknown>): object {
  seen.set(source, target);
  for (const key of Reflect.ownKeys(source)) {
    const descriptor = Object.getOwnPropertyDescriptor(source, key)!;
    if ("value" in descriptor) descriptor.value = cloneAny(descriptor.value, seen);
    Object.defineProperty(target, key, descriptor);
  }
  if (Object.isFrozen(source)) Object.freeze(target);
  return target;
}

function cloneView(view: ArrayBufferView, seen: Map<object, unknown>): unknown {
  if (Buffer.isBuffer(view)) {
    const copy = Buffer.from(view); // `new Buffer(arrayBuffer)` is deprecated; Buffer.from copies
    seen.set(view, copy);
    return copy;
  }
  const buffer = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  const Ctor = view.constructor as new (buffer: ArrayBufferLike, offset?: number, length?: number) => ArrayBufferView;
  const copy = view instanceof DataView ? new DataView(buffer) : new Ctor(buffer);
  seen.set(view, copy);
  return copy;
}

const cloners = new Map<object, Cloner>([
  [Date.prototype, (v) => new Date((v as Date).getTime())],
  [
    RegExp.prototype,
    (v) => {
      const copy = new RegExp(v as RegExp);
      copy.lastIndex = (v as RegExp).lastIndex;
      return copy;
    },
  ],
  [
    Map.prototype,
    (v, seen) => {
      const copy = new Map();
      seen.set(v, copy);
      for (const [k, x] of v as Map<unknown, unknown>) copy.set(cloneAny(k, seen), cloneAny(x, seen));
      return copy;
    },
  ],
  [
    Set.prototype,
    (v, seen) => {
      const copy = new Set();
      seen.set(v, copy);
      for (const x of v as Set<unknown>) copy.add(cloneAny(x, seen));
      return copy;
    },
  ],
  [ArrayBuffer.prototype, (v) => (v as ArrayBuffer).slice(0)],
  [Number.prototype, (v) => Object((v as Number).valueOf())],
  [String.prototype, (v) => Object((v as String).valueOf())],
  [Boolean.prototype, (v) => Object((v as Boolean).valueOf())],
]);
