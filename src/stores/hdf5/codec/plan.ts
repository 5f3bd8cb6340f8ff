/**
 * Value → a plan of HDF5 nodes (groups and datasets with their attributes), before any file is touched.
 * Planning first means a value the layout cannot hold (a function, a class instance) is refused with a
 * `SaveError` naming where it sits, without locking or copying a file; and the plan holds references to
 * the value's typed arrays, never copies, so a 100 MB array goes to HDF5 in one piece.
 *
 * The mapping is specified in docs/hdf5-format.md.
 */
import { SaveError } from "../../../errors.js";
import { Digest, digestSymbol } from "../../../digest/index.js";
import { NdArray } from "../../../ndarray.js";
import { Attr, MapMembers, Tag, TYPED_ARRAY_DTYPES, TYPED_ARRAYS, type AnyTypedArray, type TypedArrayName } from "./format.js";
import { isPlainText, memberName } from "./names.js";

/** An attribute to write: a string (variable-length UTF-8), or a number with its dtype. */
export type PlanAttribute = string | { readonly value: number; readonly dtype: string };

/** A group: its type tag and ordered members. */
export interface GroupPlan {
  readonly kind: "group";
  readonly tag: string;
  readonly members: ReadonlyArray<readonly [name: string, node: PlanNode]>;
}

/** A dataset: numeric (a typed array and its dtype) or text (one string or a list of strings). */
export interface DatasetPlan {
  readonly kind: "dataset";
  readonly tag: string;
  readonly data: AnyTypedArray | string | readonly string[];
  /** h5wasm dtype: of numeric data, or "S<n>" for fixed-length text; undefined for variable-length UTF-8. */
  readonly dtype?: string;
  /** Extent per axis; `[]` for a scalar. */
  readonly shape: readonly number[];
  readonly attrs?: Readonly<Record<string, PlanAttribute>>;
}

export type PlanNode = GroupPlan | DatasetPlan;

/**
 * The plan of `value`.
 * @throws SaveError naming the offending part when something in `value` has no HDF5 form.
 */
export function planValue(value: unknown): PlanNode {
  return new Planner().node(value, "", "value");
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Tag per exact typed-array prototype (a subclass is a class instance, except Node's Buffer). */
const TYPED_ARRAY_TAGS = new Map<object, string>([
  ...Object.entries(TYPED_ARRAYS).map(([name, constructor]) => [constructor.prototype, name] as const),
  [Buffer.prototype, Tag.Buffer],
]);

class Planner {
  /** Objects already planned, by their path relative to the entry: later occurrences become references. */
  private readonly seen = new Map<object, string>();

  node(value: unknown, path: string, where: string): PlanNode {
    switch (typeof value) {
      case "number":
        return scalar(Tag.number, Float64Array.of(value), "<d");
      case "string":
        return text(Tag.string, value);
      case "boolean":
        return scalar(Tag.boolean, Uint8Array.of(value ? 1 : 0), "<B");
      case "bigint":
        return value >= INT64_MIN && value <= INT64_MAX ? scalar(Tag.bigint, BigInt64Array.of(value), "<q") : text(Tag.bigint, value.toString());
      case "undefined":
        return empty(Tag.undefined);
      case "object":
        return value === null ? empty(Tag.null) : this.object(value, path, where);
      default:
        throw refuse(where, `a ${typeof value}`);
    }
  }

  private object(value: object, path: string, where: string): PlanNode {
    const first = this.seen.get(value);
    if (first !== undefined) return text(Tag.Reference, first);
    this.seen.set(value, path);

    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Array.prototype) return this.sequence(Tag.Array, value as unknown[], path, where);
    if (proto === Object.prototype || proto === null) return this.plainObject(value as Record<string, unknown>, proto === null, path, where);
    if (value instanceof Digest && proto === Digest.prototype) return text(Tag.Digest, value.hex);
    if (value instanceof NdArray && proto === NdArray.prototype) {
      return { kind: "dataset", tag: Tag.NdArray, data: value.data, dtype: dtypeOf(value.data), shape: value.shape };
    }
    const typed = TYPED_ARRAY_TAGS.get(proto as object);
    if (typed !== undefined) {
      const array = value as AnyTypedArray;
      return { kind: "dataset", tag: typed, data: array, dtype: dtypeOf(array), shape: [array.length] };
    }
    if (proto === Map.prototype) return this.map(value as Map<unknown, unknown>, path, where);
    if (proto === Set.prototype) return this.sequence(Tag.Set, [...(value as Set<unknown>)], path, where);
    if (proto === Date.prototype) return scalar(Tag.Date, Float64Array.of((value as Date).getTime()), "<d");
    if (proto === RegExp.prototype) return regExp(value as RegExp);
    if (proto === ArrayBuffer.prototype) return bytes(Tag.ArrayBuffer, new Uint8Array(value as ArrayBuffer));
    if (proto === SharedArrayBuffer.prototype) return bytes(Tag.SharedArrayBuffer, new Uint8Array(value as SharedArrayBuffer));
    if (proto === DataView.prototype) {
      const view = value as DataView;
      return bytes(Tag.DataView, new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    }
    const name = (proto as { constructor?: { name?: string } }).constructor?.name || "anonymous class";
    throw refuse(where, `an instance of ${name} (the HDF5 layout stores plain data, typed arrays and NdArray; use a file store for class instances)`);
  }

  private plainObject(object: Record<string, unknown>, nullPrototype: boolean, path: string, where: string): GroupPlan {
    if (typeof (object as Record<symbol, unknown>)[digestSymbol] === "function") {
      throw refuse(where, "an object with its own digest method, which the HDF5 layout cannot keep");
    }
    if (Object.getOwnPropertySymbols(object).some((s) => Object.prototype.propertyIsEnumerable.call(object, s))) {
      throw refuse(where, "an object with symbol keys");
    }
    const members: [string, PlanNode][] = [];
    for (const key of Object.keys(object)) {
      const name = memberName(key);
      members.push([name, this.node(object[key], join(path, name), `${where}.${key}`)]);
    }
    return { kind: "group", tag: nullPrototype ? Tag.NullPrototypeObject : Tag.Object, members };
  }

  private map(map: Map<unknown, unknown>, path: string, where: string): GroupPlan {
    const keys = [...map.keys()];
    const values = [...map.values()];
    return {
      kind: "group",
      tag: Tag.Map,
      members: [
        [MapMembers.keys, this.sequence(Tag.Array, keys, join(path, MapMembers.keys), `${where}<keys>`)],
        [MapMembers.values, this.sequence(Tag.Array, values, join(path, MapMembers.values), `${where}<values>`)],
      ],
    };
  }

  /**
   * A list of values: one float64 dataset when they are all numbers, one string dataset when they are all
   * strings, else a group whose members are named by index ("0", "1", ...; holes are `hole` nodes).
   */
  private sequence(tag: string, items: unknown[], path: string, where: string): PlanNode {
    let numbers = true;
    let strings = items.length > 0;
    for (let i = 0; i < items.length && (numbers || strings); i++) {
      const item = items[i];
      if (item === undefined && !(i in items)) numbers = strings = false;
      else {
        if (typeof item !== "number") numbers = false;
        if (typeof item !== "string" || !isPlainText(item)) strings = false;
      }
    }
    if (numbers) return { kind: "dataset", tag, data: Float64Array.from(items as number[]), dtype: "<d", shape: [items.length] };
    if (strings) return { kind: "dataset", tag, data: items as string[], shape: [items.length] };
    const members: [string, PlanNode][] = [];
    for (let i = 0; i < items.length; i++) {
      const name = String(i);
      members.push([name, i in items ? this.node(items[i], join(path, name), `${where}[${i}]`) : empty(Tag.hole)]);
    }
    return { kind: "group", tag, members };
  }
}

function scalar(tag: string, data: AnyTypedArray, dtype: string): DatasetPlan {
  return { kind: "dataset", tag, data, dtype, shape: [] };
}

function empty(tag: string): GroupPlan {
  return { kind: "group", tag, members: [] };
}

function bytes(tag: string, data: Uint8Array): DatasetPlan {
  return { kind: "dataset", tag, data, dtype: "<B", shape: [data.length] };
}

/** A string as a scalar UTF-8 dataset, or as UTF-16 code units when UTF-8 cannot carry it exactly. */
function text(tag: string, value: string, attrs: Record<string, PlanAttribute> = {}): DatasetPlan {
  if (isPlainText(value)) return { kind: "dataset", tag, data: value, shape: [], attrs };
  const units = new Uint16Array(value.length);
  for (let i = 0; i < value.length; i++) units[i] = value.charCodeAt(i);
  return { kind: "dataset", tag, data: units, dtype: "<H", shape: [units.length], attrs: { ...attrs, [Attr.encoding]: "utf-16" } };
}

function regExp(re: RegExp): DatasetPlan {
  const attrs: Record<string, PlanAttribute> = { [Attr.flags]: re.flags };
  if (re.lastIndex !== 0) attrs[Attr.lastIndex] = { value: re.lastIndex, dtype: "<d" };
  return text(Tag.RegExp, re.source, attrs);
}

function dtypeOf(array: AnyTypedArray): string {
  const name = (Buffer.isBuffer(array) ? "Uint8Array" : array.constructor.name) as TypedArrayName;
  return TYPED_ARRAY_DTYPES[name];
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}/${name}`;
}

function refuse(where: string, what: string): SaveError {
  return new SaveError(`The HDF5 store cannot hold ${where}: it is ${what}`);
}
