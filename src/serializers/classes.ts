/**
 * The class registry shared by every serializer. Structured clone, JSON and MessagePack all flatten a
 * class instance into a plain object, so a cached `Point` would silently come back without its methods.
 * fleche refuses that: an instance is stored only when its class is registered here, and then comes back
 * with its prototype in every serializer. Registration is by name, so the name must be the same in the
 * process that writes and the one that reads.
 */
import { Digest } from "../digest/index.js";

/** How instances of a registered class are taken apart and put back together. */
export interface ClassOptions<T extends object> {
  /** The name stored in files; defaults to the constructor's `name`. Must be unique. */
  readonly name?: string;
  /**
   * The data that stands for an instance (anything the serializer can store). Defaults to a plain object
   * of the instance's own enumerable properties. Needed for classes with `#private` fields.
   */
  readonly encode?: (instance: T) => unknown;
  /**
   * Rebuild an instance from its data. Defaults to `Object.create(Ctor.prototype)` plus the properties:
   * the constructor is not called (as Python's pickle does not call `__init__`).
   */
  readonly decode?: (data: any) => T;
}

/** A registered class, as serializers see it. */
export interface RegisteredClass {
  readonly name: string;
  readonly prototype: object;
  encode(instance: object): unknown;
  decode(data: unknown): object;
}

const byName = new Map<string, RegisteredClass>();
const byPrototype = new Map<object, RegisteredClass>();

/**
 * Let instances of `Ctor` be stored by every serializer. Only exact instances count: a subclass needs
 * its own registration (it may carry meaning its base class cannot see).
 * @returns A function that removes the registration again.
 * @throws TypeError when `Ctor` is not a class, has no usable name, or its name is taken by another class.
 * @example
 * registerClass(Point); // new Point(1, 2) now round-trips through v8, JSON and MessagePack files
 */
export function registerClass<T extends object>(Ctor: abstract new (...args: any[]) => T, options: ClassOptions<T> = {}): () => void {
  if (typeof Ctor !== "function" || typeof Ctor.prototype !== "object" || Ctor.prototype === null) {
    throw new TypeError(`registerClass(Ctor): expected a class, got ${typeof Ctor}`);
  }
  const name = options.name ?? Ctor.name;
  if (typeof name !== "string" || name === "") {
    throw new TypeError("registerClass(Ctor): the class has no name; pass { name: \"...\" }");
  }
  const taken = byName.get(name);
  if (taken && taken.prototype !== Ctor.prototype) {
    throw new TypeError(`registerClass(${name}): another class is already registered under the name '${name}'; pass { name: "..." }`);
  }
  const prototype = Ctor.prototype as object;
  const entry: RegisteredClass = {
    name,
    prototype,
    encode: (options.encode as ((instance: object) => unknown) | undefined) ?? ownFields,
    decode: (options.decode as ((data: unknown) => object) | undefined) ?? ((data) => assignFields(Object.create(prototype) as object, data)),
  };
  byName.set(name, entry);
  byPrototype.set(prototype, entry);
  return () => {
    if (byName.get(name) === entry) byName.delete(name);
    if (byPrototype.get(prototype) === entry) byPrototype.delete(prototype);
  };
}

function assignFields(target: object, data: unknown): object {
  if (typeof data !== "object" || data === null) throw new Error("the stored fields are not an object");
  for (const key of Object.keys(data)) setOwn(target as Record<string, unknown>, key, (data as Record<string, unknown>)[key]);
  return target;
}

/** `target[key] = value` as an own data property, also for the key `__proto__` (which would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

function ownFields(instance: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(instance)) setOwn(fields, key, (instance as Record<string, unknown>)[key]);
  return fields;
}

/** The registration of `value`'s exact class, if any. */
export function registeredClassOf(value: object): RegisteredClass | undefined {
  return byPrototype.get(Object.getPrototypeOf(value) as object);
}

/** The registration under `name`, if any. */
export function classNamed(name: string): RegisteredClass | undefined {
  return byName.get(name);
}

/** Objects whose prototype is one of these are data every serializer knows (subject to its limits). */
const BUILTIN_PROTOTYPES = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Buffer.prototype,
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
]);

/** True for built-in data objects (plain objects, arrays, Map, Set, Date, RegExp, binary data). */
export function isBuiltinData(value: object): boolean {
  return BUILTIN_PROTOTYPES.has(Object.getPrototypeOf(value) as object | null);
}

/** A class name for messages: `Point`, or a description when there is none. */
export function describeClass(value: object): string {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const name = proto?.constructor?.name;
  return name ? name : "an object with a custom prototype";
}

/** The message for an instance of a class nobody registered. */
export function unregisteredMessage(value: object, where: string, serializer: string): string {
  const name = describeClass(value);
  return (
    `Cannot store ${where}: it is an instance of class ${name}, which is not registered. ` +
    `Call registerClass(${name}) so it comes back as a ${name} (the ${serializer} serializer would otherwise flatten it into a plain object)`
  );
}

// fleche's own reference type round-trips everywhere.
registerClass(Digest, { name: "fleche.Digest", encode: (d) => d.hex, decode: (hex: string) => new Digest(hex) });
