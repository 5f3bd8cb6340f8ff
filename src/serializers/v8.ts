/**
 * The `v8` serializer (the default): Node's structured-clone format. It keeps everything structured clone
 * keeps (Map, Set, Date, RegExp, BigInt, typed arrays, `undefined`, `-0`, cycles, shared references) and
 * is the fastest. It is not readable outside Node. Class instances are tagged (registered ones) or refused.
 */
import { createRequire } from "node:module";
import type * as V8 from "node:v8";
import { SaveError } from "../errors.js";
import { isBuiltinData } from "./classes.js";
import { TAG, toTagged, type TagProfile } from "./tagged.js";
import { fromTagged } from "./untag.js";
import type { Encoded, Serializer } from "./types.js";

const PROFILE: TagProfile = { name: "v8", graph: true, bytes: true, nonFinite: true, wellFormed: false };

/** node:v8, loaded on first use (a small call never serializes anything: its values travel inline). */
let v8: typeof V8 | undefined;
const load = () => (v8 ??= createRequire(import.meta.url)("node:v8") as typeof V8);

export const v8Serializer: Serializer = {
  name: "v8",
  ready: true,
  load: () => Promise.resolve(),
  encode(value: unknown): Encoded {
    // Most values hold no class instance: they go to v8 as they are, without a copy.
    const tagged = needsTags(value);
    const tree = tagged ? toTagged(value, PROFILE).tree : value;
    try {
      return { bytes: load().serialize(tree), tagged };
    } catch (error) {
      throw new SaveError(`Cannot store the value with the v8 serializer: ${(error as Error).message}`, { cause: error });
    }
  },
  decode(bytes: Uint8Array, tagged: boolean): unknown {
    const tree: unknown = load().deserialize(bytes);
    return tagged ? fromTagged(tree, true) : tree;
  },
};

/**
 * True when `value` contains something structured clone would get wrong: a class instance (flattened
 * silently), an object without a prototype (given one) or an object owning the tag key (ambiguous).
 */
function needsTags(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const seen = new Set<object>();
  const stack: object[] = [value];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    const proto = Object.getPrototypeOf(node) as object | null;
    if (proto === Array.prototype) {
      for (const item of node as unknown[]) if (typeof item === "object" && item !== null) stack.push(item);
    } else if (proto === Object.prototype) {
      if (Object.hasOwn(node, TAG)) return true;
      for (const key in node) {
        const item = (node as Record<string, unknown>)[key];
        if (typeof item === "object" && item !== null) stack.push(item);
      }
    } else if (proto === Map.prototype) {
      for (const [k, v] of node as Map<unknown, unknown>) {
        if (typeof k === "object" && k !== null) stack.push(k);
        if (typeof v === "object" && v !== null) stack.push(v);
      }
    } else if (proto === Set.prototype) {
      for (const member of node as Set<unknown>) if (typeof member === "object" && member !== null) stack.push(member);
    } else if (proto === null || !isBuiltinData(node)) {
      return true;
    }
  }
  return false;
}
