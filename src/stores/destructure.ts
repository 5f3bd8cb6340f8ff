/**
 * Destructuring: a value store keeps containers as a forest of content-addressed entries, so a large
 * sub-structure shared between values (or between calls) is stored once. This module plans the entries
 * of a value and reassembles them; stores only write and read entries.
 *
 * A part (a node below the top value) becomes an entry of its own under its digest, and its parent's slot
 * refers to it, when both hold:
 *
 * - **deep enough**: Python fleche's `remaining_depth` (default 1). Depth counts up from the leaves: a leaf
 *   or an empty container has depth 0, an opaque value depth ∞, a container `1 + max(depth of its
 *   children)`; the part's depth must be at least `remainingDepth`;
 * - **worth it**: its estimated size is at least `minPartSize` bytes (default 64 KiB), or it is an object
 *   this store already wrote as an entry and it is unchanged (its digest still equals that entry's key:
 *   e.g. an argument that reappears inside the result). A small part as an entry of its own costs a file
 *   (a read, a write, a block of disk) and a digest for nothing: an array of 100,000 small records is one
 *   entry, not 100,001.
 *
 * Sizes are estimated in the one walk that plans the value (no serialisation): string lengths, 8 bytes a
 * number, key lengths, byte lengths of binary data; opaque values other than binary data are estimated
 * from their members or own enumerable fields, walked only until the threshold is reached.
 *
 * Opaque values (binary data, Sets, class instances, anything digested through a hook or a
 * `[Symbol.for("fleche.digest")]()` method) are never taken apart: large ones get an entry of their own,
 * small ones stay inside their parent whole. The top value is always an entry, under the key the caller
 * gives (its digest), so the key of a stored value is the digest of the whole original whatever the split.
 *
 * A value in which one object appears twice (a shared reference or a cycle) is stored whole: entries are
 * loaded independently, so splitting it would turn one object into copies. Serializers that keep object
 * graphs (v8) then store it exactly.
 */
import { digest, isDigest } from "../digest/index.js";
import { digestSymbol, findHook, hooks } from "../digest/hooks.js";
import { Indigestible } from "../errors.js";
import { setOwn } from "../serializers/classes.js";
import { KnownParts } from "./known-parts.js";

export { KnownParts } from "./known-parts.js";

/** The default `remainingDepth`. */
export const DEFAULT_REMAINING_DEPTH = 1;

/**
 * The default `minPartSize` in bytes: 64 KiB. Below this a part costs more as a file of its own (a
 * syscall round per read and write, a 4 KiB block at least, a digest) than storing it once saves.
 */
export const DEFAULT_MIN_PART_SIZE = 64 * 1024;

/** How a store splits values (see the module comment). */
export interface DestructureOptions {
  /** Parts at least this deep (from the leaves) may become entries. @default 1 */
  readonly remainingDepth?: number;
  /** Parts estimated smaller than this many bytes stay inside their parent. @default 65536 */
  readonly minPartSize?: number;
  /** Objects the store already wrote as entries: an unchanged one is referred to whatever its size. */
  readonly known?: KnownParts;
}

/** How a split container is laid out in its entry. */
export type PartsKind = "array" | "object" | "map";

/** An entry holding a value in one piece. */
export interface WholeNode {
  readonly kind: "whole";
  readonly value: unknown;
}

/**
 * An entry holding a container whose slots refer to other entries. `items` are the array's elements, or
 * the keys and values of an object or Map in turn (`[k0, v0, k1, v1, ...]`); the slots listed in `slots`
 * hold `null` and stand for the entries `children` (same order).
 */
export interface PartsNode {
  readonly kind: PartsKind;
  readonly items: unknown[];
  readonly slots: readonly number[];
  readonly children: readonly string[];
  /** An object without a prototype (`Object.create(null)`). */
  readonly nullPrototype?: boolean;
}

export type EntryNode = WholeNode | PartsNode;

/** One entry to write. */
export interface PlannedEntry {
  readonly key: string;
  readonly node: EntryNode;
}

/** A reference from a slot to another entry, while planning. */
class Ref {
  constructor(readonly key: string) {}
}

/** Thrown inside the planner when an object appears twice; the value is then stored whole. */
class Aliased extends Error {}

/**
 * The entries that store `value` under `key`, children before parents (so a reader never finds a parent
 * whose children are not written yet), each key once. The last entry is the top value, under `key`.
 * A number as `options` is the `remainingDepth` (with the default `minPartSize`).
 */
export function planEntries(value: unknown, key: string, options: DestructureOptions | number = {}): PlannedEntry[] {
  const { remainingDepth = DEFAULT_REMAINING_DEPTH, minPartSize = DEFAULT_MIN_PART_SIZE, known } =
    typeof options === "number" ? { remainingDepth: options } : options;
  const planner = new Planner(remainingDepth, minPartSize, known);
  try {
    const root = planner.root(value);
    planner.add(key, root);
    known?.remember(value, key);
    return planner.entries;
  } catch (error) {
    // Aliasing, or a part that has no digest (only possible under an explicit key): keep the value whole.
    if (error instanceof Aliased || error instanceof Indigestible) return [{ key, node: { kind: "whole", value } }];
    throw error;
  }
}

class Planner {
  readonly entries: PlannedEntry[] = [];
  readonly #planned = new Set<string>();
  readonly #seen = new Set<object>();
  /** Depth and estimated size of the node visited last (out-parameters of `#visit`, to spare an object per node). */
  #depth = 0;
  #size = 0;

  constructor(
    readonly remainingDepth: number,
    readonly minPartSize: number,
    readonly known: KnownParts | undefined,
  ) {}

  add(key: string, node: EntryNode): void {
    if (this.#planned.has(key)) return;
    this.#planned.add(key);
    this.entries.push({ key, node });
  }

  root(value: unknown): EntryNode {
    if (typeof value !== "object" || value === null || !isContainer(value)) return { kind: "whole", value };
    this.#seen.add(value);
    return this.#container(value);
  }

  /** Visit a node (children first); returns what its parent's slot holds: the value itself, or a {@link Ref}. */
  #visit(value: unknown): unknown {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function") return this.#opaque(value);
      this.#depth = 0;
      this.#size = scalarSize(value);
      return this.#maybeSplit(value, undefined);
    }
    if (this.#seen.has(value)) throw new Aliased();
    this.#seen.add(value);
    if (isLeafObject(value)) {
      this.#depth = 0;
      this.#size = leafSize(value);
      return this.#maybeSplit(value, undefined);
    }
    if (!isContainer(value)) return this.#opaque(value);
    const node = this.#container(value);
    return this.#maybeSplit(value, node);
  }

  #opaque(value: unknown): unknown {
    this.#depth = Infinity;
    this.#size = opaqueSize(value, this.minPartSize);
    return this.#maybeSplit(value, undefined);
  }

  /** The slot of a visited node: a reference to an entry of its own when it is deep enough and worth it. */
  #maybeSplit(value: unknown, node: EntryNode | undefined): unknown {
    if (this.#depth < this.remainingDepth) return value;
    let key: string | undefined;
    if (this.#size >= this.minPartSize) key = digest(value);
    else if (this.known && typeof value === "object" && value !== null) key = this.known.unchanged(value);
    if (key === undefined) return value;
    this.add(key, node ?? { kind: "whole", value });
    this.known?.remember(value, key);
    return new Ref(key);
  }

  /**
   * The entry node of a container, its children visited; sets its depth and size. The items are copied
   * only from the first child that became an entry on: a container without such children is stored whole.
   * (Written out per kind, without a closure per child: this loop runs once per node of every value.)
   */
  #container(value: object): EntryNode {
    const parts = new Parts();
    let kind: PartsKind;
    if (Array.isArray(value)) {
      kind = "array";
      for (let i = 0; i < value.length; i++) {
        const slot = this.#visit(value[i]);
        parts.grow(this.#depth, this.#size);
        if (slot instanceof Ref) parts.refer(slot, parts.items ?? value.slice(0, i));
        else parts.items?.push(slot);
      }
    } else if (value instanceof Map) {
      kind = "map";
      const before: unknown[] = [];
      for (const [k, v] of value) {
        const keySlot = this.#visit(k);
        parts.grow(this.#depth, this.#size);
        if (keySlot instanceof Ref) parts.refer(keySlot, parts.items ?? before.slice());
        else parts.items?.push(keySlot);
        const valueSlot = this.#visit(v);
        parts.grow(this.#depth, this.#size);
        if (valueSlot instanceof Ref) parts.refer(valueSlot, parts.items ?? [...before, k]);
        else parts.items?.push(valueSlot);
        if (!parts.items) before.push(k, v);
      }
    } else {
      kind = "object";
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const slot = this.#visit(record[k]);
        parts.grow(this.#depth, this.#size + k.length + 2);
        parts.items?.push(k); // object keys are strings: always inline
        if (slot instanceof Ref) parts.refer(slot, parts.items ?? [...interleave(keys, record, i), k]);
        else parts.items?.push(slot);
      }
    }
    this.#depth = parts.depth;
    this.#size = parts.size;
    if (!parts.items) return { kind: "whole", value };
    const nullPrototype = kind === "object" && Object.getPrototypeOf(value) === null;
    return { kind, items: parts.items, slots: parts.slots, children: parts.children, ...(nullPrototype ? { nullPrototype } : {}) };
  }
}

/** A container's items while planning: depth, size, and (once a child became an entry) its slots. */
class Parts {
  depth = 0;
  size = 2;
  items: unknown[] | undefined;
  readonly slots: number[] = [];
  readonly children: string[] = [];

  /** Account for a visited child. */
  grow(depth: number, size: number): void {
    if (depth + 1 > this.depth) this.depth = depth + 1;
    this.size += size;
  }

  /** A child that is an entry of its own: its slot holds null. `items` are the items so far. */
  refer(ref: Ref, items: unknown[]): void {
    this.items = items;
    this.slots.push(items.length);
    this.children.push(ref.key);
    items.push(null);
  }
}

/** `[k0, v0, k1, v1, …]` of the first `count` keys of `record`. */
function interleave(keys: readonly string[], record: Record<string, unknown>, count: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(keys[i], record[keys[i]!]);
  return out;
}

/** Estimated stored size of a scalar, in bytes. */
function scalarSize(value: unknown): number {
  switch (typeof value) {
    case "string":
      return value.length + 2;
    case "number":
      return 8;
    case "bigint":
      return (value < 0n ? -value : value).toString(16).length / 2 + 2;
    default:
      return 1; // booleans, null, undefined, symbols
  }
}

/** Estimated stored size of a date, regexp or digest reference. */
function leafSize(value: object): number {
  if (value instanceof RegExp) return value.source.length + value.flags.length + 4;
  if (isDigest(value)) return 66;
  return 8;
}

/**
 * Estimated stored size of an opaque value: binary data by its byte length; anything else by walking its
 * members (Sets, Maps, arrays) or own enumerable fields, stopping once `cap` is reached, so the cost is
 * bounded by the threshold, not by the value.
 */
function opaqueSize(value: unknown, cap: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && size < cap) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null) {
      size += typeof v === "function" ? 8 : scalarSize(v);
      continue;
    }
    if (seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) size += v.byteLength + 8;
    else if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer)) size += v.byteLength + 8;
    else if (v instanceof Date || v instanceof RegExp || isDigest(v)) size += leafSize(v);
    else if (v instanceof Set) {
      size += 2;
      for (const member of v) stack.push(member);
    } else if (v instanceof Map) {
      size += 2;
      for (const [k, member] of v) stack.push(k, member);
    } else if (Array.isArray(v)) {
      size += 2;
      for (const item of v) stack.push(item);
    } else {
      size += 2;
      for (const k of Object.keys(v)) {
        size += k.length + 2;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return size;
}
/** Containers that are taken apart: exact arrays without holes, plain objects and Maps, unless digested by a hook or method. */
function isContainer(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto === Array.prototype) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) if (!(i in array)) return false;
  } else if (proto !== Object.prototype && proto !== null && proto !== Map.prototype) {
    return false;
  }
  if (typeof (value as { [digestSymbol]?: unknown })[digestSymbol] === "function") return false;
  return hooks.length === 0 || findHook(value) === undefined;
}

/** Small objects that stay inline like scalars (unless a hook or method digests them). */
function isLeafObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Date.prototype && proto !== RegExp.prototype && !isDigest(value)) return false;
  return hooks.length === 0 || findHook(value) === undefined;
}

/**
 * Rebuild a split container from its node and its children's values (same order as `node.children`).
 * @throws Error when the node is malformed (the caller treats the entry as corrupt).
 */
export function assemble(node: PartsNode, children: readonly unknown[]): unknown {
  const items = node.items.slice();
  node.slots.forEach((slot, i) => {
    items[slot] = children[i];
  });
  if (node.kind === "array") return items;
  if (items.length % 2 !== 0) throw new Error(`a ${node.kind} entry has an odd number of items`);
  if (node.kind === "map") {
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return map;
  }
  const object = (node.nullPrototype ? Object.create(null) : {}) as Record<string, unknown>;
  for (let i = 0; i < items.length; i += 2) {
    const key = items[i];
    if (typeof key !== "string") throw new Error("an object entry has a key that is not a string");
    setOwn(object, key, items[i + 1]);
  }
  return object;
}

/** Check a parts node read from storage; returns a reason when it is malformed. */
export function partsProblem(kind: unknown, items: unknown, slots: unknown, children: unknown): string | undefined {
  if (kind !== "array" && kind !== "object" && kind !== "map") return `unknown parts kind ${JSON.stringify(kind)}`;
  if (!Array.isArray(items)) return "the parts are not a list";
  if (!Array.isArray(slots) || !Array.isArray(children) || slots.length !== children.length) return "slots and children do not match";
  for (const slot of slots) if (!Number.isInteger(slot) || slot < 0 || slot >= items.length) return `slot ${String(slot)} is out of range`;
  return undefined;
}
