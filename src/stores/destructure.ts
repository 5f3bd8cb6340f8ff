/**
 * Destructuring: a value store keeps containers as a forest of content-addressed entries, so a
 * sub-structure shared between values (or between calls) is stored once. This module plans the entries
 * of a value and reassembles them; stores only write and read entries.
 *
 * The rule is Python fleche's `remaining_depth` (default 1). Depth counts up from the leaves: a leaf or an
 * empty container has depth 0, an opaque value depth ∞, a container `1 + max(depth of its children)`.
 * Walking children first, a container whose depth is at least `remainingDepth` becomes an entry of its own
 * under its digest and its parent's slot refers to it; shallower ones stay inline in their parent. At 1
 * every non-empty container is an entry, at 0 every node (scalars too), at `Infinity` only opaque values
 * split off. Opaque values (binary data, Sets, class instances, anything digested through a hook or a
 * `[Symbol.for("fleche.digest")]()` method) always get their own entry and are never taken apart. The top
 * value is always an entry, under the key the caller gives (its digest), so the key of a stored value is
 * the digest of the whole original whatever the split.
 *
 * A value in which one object appears twice (a shared reference or a cycle) is stored whole: entries are
 * loaded independently, so splitting it would turn one object into copies. Serializers that keep object
 * graphs (v8) then store it exactly.
 */
import { digest, isDigest } from "../digest/index.js";
import { digestSymbol, findHook, hooks } from "../digest/hooks.js";
import { Indigestible } from "../errors.js";
import { setOwn } from "../serializers/classes.js";

/** The default `remainingDepth`. */
export const DEFAULT_REMAINING_DEPTH = 1;

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

interface Visit {
  readonly depth: number;
  /** What the parent's slot holds: the value itself, or a reference to its entry. */
  readonly slot: unknown;
}

/**
 * The entries that store `value` under `key`, children before parents (so a reader never finds a parent
 * whose children are not written yet), each key once. The last entry is the top value, under `key`.
 */
export function planEntries(value: unknown, key: string, remainingDepth: number = DEFAULT_REMAINING_DEPTH): PlannedEntry[] {
  const planner = new Planner(remainingDepth);
  try {
    const root = planner.root(value, key);
    planner.add(key, root);
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

  constructor(readonly remainingDepth: number) {}

  add(key: string, node: EntryNode): void {
    if (this.#planned.has(key)) return;
    this.#planned.add(key);
    this.entries.push({ key, node });
  }

  root(value: unknown, key: string): EntryNode {
    if (typeof value !== "object" || value === null || !isContainer(value)) return { kind: "whole", value };
    this.#seen.add(value);
    return this.#node(value, this.#children(value)).node;
  }

  #visit(value: unknown): Visit {
    if (typeof value !== "object" || value === null) {
      if (typeof value === "function") return this.#opaque(value);
      return this.remainingDepth <= 0 ? this.#split(value, { kind: "whole", value }, 0) : { depth: 0, slot: value };
    }
    if (this.#seen.has(value)) throw new Aliased();
    this.#seen.add(value);
    if (isLeafObject(value)) {
      return this.remainingDepth <= 0 ? this.#split(value, { kind: "whole", value }, 0) : { depth: 0, slot: value };
    }
    if (!isContainer(value)) return this.#opaque(value);
    const children = this.#children(value);
    const { node, depth } = this.#node(value, children);
    if (depth >= this.remainingDepth) return this.#split(value, node, depth);
    return { depth, slot: value }; // shallower than the threshold: no child of it was split off
  }

  #opaque(value: unknown): Visit {
    return this.#split(value, { kind: "whole", value }, Infinity);
  }

  #split(value: unknown, node: EntryNode, depth: number): Visit {
    const key = digest(value);
    this.add(key, node);
    return { depth, slot: new Ref(key) };
  }

  /** The items of a container, each visited (children first). */
  #children(value: object): { kind: PartsKind; items: Visit[]; keys?: string[] } {
    if (Array.isArray(value)) return { kind: "array", items: value.map((item) => this.#visit(item)) };
    if (value instanceof Map) {
      const items: Visit[] = [];
      for (const [k, v] of value) items.push(this.#visit(k), this.#visit(v));
      return { kind: "map", items };
    }
    const keys = Object.keys(value);
    return { kind: "object", items: keys.map((k) => this.#visit((value as Record<string, unknown>)[k])), keys };
  }

  /** The entry node of a container from its visited items, and the container's depth. */
  #node(value: object, { kind, items, keys }: { kind: PartsKind; items: Visit[]; keys?: string[] }): { node: EntryNode; depth: number } {
    let depth = 0;
    const slots: number[] = [];
    const children: string[] = [];
    const stored: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const { depth: d, slot } = items[i]!;
      if (d + 1 > depth) depth = d + 1;
      if (keys) stored.push(keys[i]); // object keys are strings: always inline
      if (slot instanceof Ref) {
        slots.push(stored.length);
        children.push(slot.key);
        stored.push(null);
      } else {
        stored.push(slot);
      }
    }
    if (children.length === 0) return { node: { kind: "whole", value }, depth };
    const nullPrototype = kind === "object" && Object.getPrototypeOf(value) === null;
    return { node: { kind, items: stored, slots, children, ...(nullPrototype ? { nullPrototype } : {}) }, depth };
  }
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
