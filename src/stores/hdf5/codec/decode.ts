/**
 * HDF5 nodes → the value they hold: the inverse of plan.ts, following each node's `fleche_type` tag.
 * Nodes without a tag (files written by other tools in the same layout) are read by their HDF5 type:
 * groups as plain objects, scalars as numbers or strings (64-bit integers beyond 2^53 as bigints), 1-D
 * numeric datasets as typed arrays, n-D ones as NdArray, string lists as arrays of strings.
 *
 * Anything inconsistent (a tag on the wrong kind of node, a dtype that does not match the tag, a
 * reference to nothing) is {@link Damaged}: the entry becomes a miss rather than a wrong value.
 */
import { Digest } from "../../../digest/index.js";
import { NdArray, type NumericArray } from "../../../ndarray.js";
import { Attr, MapMembers, Tag, TypeClass, TYPED_ARRAYS, TYPED_ARRAY_DTYPES, typedArrayNameFor, type AnyTypedArray, type TypedArrayName } from "./format.js";
import { keyOfMember } from "./names.js";
import { Damaged, type DatasetContents, type NodeReader } from "./node-reader.js";

/** The value stored at `path` (an entry's node, e.g. "/<key>"). */
export function decodeEntry(reader: NodeReader, path: string): unknown {
  return new Decoder(reader, path).node("");
}

const HOLE = Symbol("hole");
const INDEX = /^(0|[1-9][0-9]{0,15})$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class Decoder {
  /** Objects decoded so far by path relative to the entry, for `ref` nodes (shared and cyclic values). */
  private readonly objects = new Map<string, unknown>();

  constructor(
    private readonly reader: NodeReader,
    private readonly base: string,
  ) {}

  node(rel: string): unknown {
    const path = rel === "" ? this.base : `${this.base}/${rel}`;
    const tag = this.reader.tag(path);
    switch (tag) {
      case undefined:
        return this.untagged(path, rel);
      case Tag.null:
        return null;
      case Tag.undefined:
        return undefined;
      case Tag.hole:
        return HOLE;
      case Tag.number:
        return scalar(this.reader.dataset(path), "number", tag);
      case Tag.boolean: {
        const v = scalar(this.reader.dataset(path), "number", tag);
        if (v !== 0 && v !== 1) throw new Damaged(`a boolean node holds ${String(v)}`);
        return v === 1;
      }
      case Tag.bigint: {
        const contents = this.reader.dataset(path);
        if (contents.meta.type === TypeClass.string) return parseBigInt(scalar(contents, "string", tag));
        return scalar(contents, "bigint", tag);
      }
      case Tag.string:
        return text(this.reader.dataset(path), tag);
      case Tag.Date:
        return this.register(rel, new Date(scalar(this.reader.dataset(path), "number", tag)));
      case Tag.RegExp:
        return this.register(rel, this.regExp(path));
      case Tag.Digest:
        return this.register(rel, new Digest(text(this.reader.dataset(path), tag)));
      case Tag.Reference:
        return this.reference(text(this.reader.dataset(path), tag));
      case Tag.Array:
        return this.sequence(path, rel, tag);
      case Tag.Set:
        return this.set(path, rel);
      case Tag.Object:
      case Tag.NullPrototypeObject:
        return this.object(path, rel, tag === Tag.NullPrototypeObject);
      case Tag.Map:
        return this.map(path, rel);
      case Tag.NdArray: {
        const { meta, value } = this.reader.dataset(path);
        return this.register(rel, new NdArray(numeric(meta, value, tag) as NumericArray, meta.shape ?? []));
      }
      case Tag.ArrayBuffer:
        return this.register(rel, ownBuffer(bytes(this.reader.dataset(path), tag)));
      case Tag.SharedArrayBuffer: {
        const source = bytes(this.reader.dataset(path), tag);
        const shared = new SharedArrayBuffer(source.length);
        new Uint8Array(shared).set(source);
        return this.register(rel, shared);
      }
      case Tag.DataView:
        return this.register(rel, new DataView(ownBuffer(bytes(this.reader.dataset(path), tag))));
      case Tag.Buffer: {
        const source = bytes(this.reader.dataset(path), tag);
        return this.register(rel, Buffer.from(source.buffer, source.byteOffset, source.byteLength));
      }
      default:
        if (tag in TYPED_ARRAYS) return this.register(rel, this.typedArray(path, tag as TypedArrayName));
        throw new Damaged(`unknown type tag '${tag}' (written by a newer fleche?)`);
    }
  }

  private register<T>(rel: string, value: T): T {
    this.objects.set(rel, value);
    return value;
  }

  private reference(target: string): unknown {
    if (!this.objects.has(target)) throw new Damaged(`a reference points to '${target}', which holds no value`);
    return this.objects.get(target);
  }

  private typedArray(path: string, name: TypedArrayName): AnyTypedArray {
    const { meta, value } = this.reader.dataset(path);
    const array = numeric(meta, value, name);
    if (meta.shape?.length !== 1) throw new Damaged(`a ${name} node has shape [${meta.shape?.join(", ")}]`);
    const expected = TYPED_ARRAY_DTYPES[name];
    if (TYPED_ARRAY_DTYPES[array.constructor.name as TypedArrayName] !== expected) {
      throw new Damaged(`a ${name} node holds ${array.constructor.name} data`);
    }
    return array instanceof TYPED_ARRAYS[name] ? array : new TYPED_ARRAYS[name](array.buffer, array.byteOffset, array.length);
  }

  private regExp(path: string): RegExp {
    const source = text(this.reader.dataset(path), Tag.RegExp);
    const flags = this.reader.attribute(path, Attr.flags);
    if (typeof flags !== "string") throw new Damaged("a RegExp node has no flags attribute");
    const re = new RegExp(source, flags);
    const lastIndex = this.reader.attribute(path, Attr.lastIndex);
    if (lastIndex !== undefined) re.lastIndex = Number(lastIndex);
    return re;
  }

  /** A list of values: a dataset of numbers or strings, or a group with members named by index. */
  private items(path: string, rel: string, tag: string, into: unknown[]): unknown[] {
    const kind = this.reader.kind(path);
    if (kind === "dataset") {
      const contents = this.reader.dataset(path);
      if (contents.meta.shape?.length !== 1) throw new Damaged(`a list node (${tag}) is not one-dimensional`);
      if (contents.meta.type === TypeClass.string) for (const item of contents.value as string[]) into.push(item);
      else if (contents.value instanceof Float64Array) for (const item of contents.value) into.push(item);
      else throw new Damaged(`a list node (${tag}) holds neither float64 numbers nor strings`);
      return into;
    }
    if (kind !== "group") throw new Damaged(`a ${tag} node is neither a group nor a dataset`);
    const names = this.reader.members(path);
    if (!names.every((name) => INDEX.test(name))) throw new Damaged(`a ${tag} group has a member that is not an index`);
    const indices = names.map(Number).sort((a, b) => a - b);
    for (const index of indices) {
      const item = this.node(join(rel, String(index)));
      if (item !== HOLE) into[index] = item;
      else if (index >= into.length) into.length = index + 1; // a trailing hole still counts
    }
    return into;
  }

  private sequence(path: string, rel: string, tag: string): unknown[] {
    return this.items(path, rel, tag, this.register(rel, [] as unknown[]));
  }

  private set(path: string, rel: string): Set<unknown> {
    const set = this.register(rel, new Set<unknown>());
    for (const item of this.items(path, rel, Tag.Set, [])) set.add(item);
    return set;
  }

  private object(path: string, rel: string, nullPrototype: boolean): Record<string, unknown> {
    const object = this.register(rel, (nullPrototype ? Object.create(null) : {}) as Record<string, unknown>);
    for (const name of this.reader.members(path)) {
      const key = keyOfMember(name);
      const value = this.node(join(rel, name));
      // Defined, not assigned: a "__proto__" key is data, not a prototype change.
      Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
    }
    return object;
  }

  private map(path: string, rel: string): Map<unknown, unknown> {
    const map = this.register(rel, new Map<unknown, unknown>());
    const members = this.reader.members(path);
    if (!members.includes(MapMembers.keys) || !members.includes(MapMembers.values)) throw new Damaged("a Map node lacks keys or values");
    const keys = this.items(`${path}/${MapMembers.keys}`, join(rel, MapMembers.keys), "Map keys", []);
    const values = this.items(`${path}/${MapMembers.values}`, join(rel, MapMembers.values), "Map values", []);
    if (keys.length !== values.length) throw new Damaged(`a Map node has ${keys.length} keys but ${values.length} values`);
    keys.forEach((key, i) => map.set(key, values[i]));
    return map;
  }

  /** A node without a tag, read by its HDF5 type. */
  private untagged(path: string, rel: string): unknown {
    const kind = this.reader.kind(path);
    if (kind === "group") {
      const object = this.register(rel, {} as Record<string, unknown>);
      for (const name of this.reader.members(path)) {
        Object.defineProperty(object, name, { value: this.node(join(rel, name)), writable: true, enumerable: true, configurable: true });
      }
      return object;
    }
    if (kind !== "dataset") throw new Damaged(`no group or dataset at ${path}`);
    const { meta, value } = this.reader.dataset(path);
    if (value === null || typeof value === "string" || typeof value === "number") return value;
    if (typeof value === "bigint") return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value; // 64-bit integers
    if (Array.isArray(value)) return this.register(rel, value);
    const array = numeric(meta, value, "untagged");
    return this.register(rel, (meta.shape ?? []).length === 1 ? array : new NdArray(array as NumericArray, meta.shape ?? []));
  }
}

function scalar(contents: DatasetContents, type: "number", tag: string): number;
function scalar(contents: DatasetContents, type: "string", tag: string): string;
function scalar(contents: DatasetContents, type: "bigint", tag: string): bigint;
function scalar(contents: DatasetContents, type: string, tag: string): unknown {
  if (contents.meta.shape?.length !== 0 || typeof contents.value !== type) {
    throw new Damaged(`a ${tag} node does not hold one ${type}`);
  }
  return contents.value;
}

/** A string node: UTF-8 text, or UTF-16 code units for strings UTF-8 cannot carry. */
function text(contents: DatasetContents, tag: string): string {
  const { meta, value } = contents;
  if (meta.type === TypeClass.string) return scalar(contents, "string", tag);
  if (value instanceof Uint16Array && meta.shape?.length === 1) {
    let out = "";
    for (let i = 0; i < value.length; i += 8192) out += String.fromCharCode(...value.subarray(i, i + 8192));
    return out;
  }
  throw new Damaged(`a ${tag} node holds no text`);
}

/** A numeric dataset's contents as a typed array (h5wasm hands a scalar's single element out bare). */
function numeric(meta: DatasetContents["meta"], value: unknown, tag: string): AnyTypedArray {
  const name = typedArrayNameFor(meta.type, meta.size, meta.signed);
  if (name === undefined) throw new Damaged(`a ${tag} node holds no numeric array`);
  if (ArrayBuffer.isView(value)) return value as AnyTypedArray;
  if (meta.shape?.length !== 0 || (typeof value !== "number" && typeof value !== "bigint")) throw new Damaged(`a ${tag} node holds no numeric array`);
  const one = new TYPED_ARRAYS[name](1);
  (one as unknown as unknown[])[0] = value;
  return one;
}

function bytes(contents: DatasetContents, tag: string): Uint8Array {
  if (!(contents.value instanceof Uint8Array) || contents.meta.shape?.length !== 1) throw new Damaged(`a ${tag} node holds no bytes`);
  return contents.value;
}

/** An ArrayBuffer holding exactly `view`'s bytes (h5wasm's arrays usually own theirs already). */
function ownBuffer(view: Uint8Array): ArrayBuffer {
  const buffer = view.buffer as ArrayBuffer;
  if (view.byteOffset === 0 && view.byteLength === buffer.byteLength) return buffer;
  return buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

function parseBigInt(text: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new Damaged(`a bigint node holds '${text.slice(0, 40)}'`);
  return BigInt(text);
}

function join(rel: string, name: string): string {
  return rel === "" ? name : `${rel}/${name}`;
}
