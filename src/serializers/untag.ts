/** Reviving tagged trees (see `tagged.ts` for the tags): the way back from a format to the value. */
import { fromBytes, isBinaryType } from "./binary.js";
import { classNamed, setOwn } from "./classes.js";
import { TAG, type Tree } from "./tagged.js";

/**
 * Turn a tree written by {@link toTagged} back into the value. Trees parsed from JSON or MessagePack are
 * fresh, so they are revived in place; graph trees (v8) may share nodes and contain cycles, which are
 * preserved.
 * @throws Error for malformed tags (the caller treats the entry as corrupt).
 */
export function fromTagged(tree: Tree, graph: boolean): unknown {
  return new Reviver(graph).revive(tree);
}

class Reviver {
  readonly #done = new Map<object, unknown>();
  readonly #active = new Set<object>();

  constructor(readonly graph: boolean) {}

  revive(node: Tree): unknown {
    if (typeof node !== "object" || node === null) return node;
    if (this.graph) {
      const done = this.#done.get(node);
      if (done !== undefined) return done;
      if (this.#active.has(node)) throw new Error("a class instance refers back to itself");
    }
    if (Array.isArray(node)) return this.#array(node);
    const proto = Object.getPrototypeOf(node) as object | null;
    if (proto === Object.prototype) {
      const record = node as Record<string, unknown>;
      return Object.hasOwn(record, TAG) ? this.#tag(record) : this.#fields(record, record);
    }
    if (proto === Map.prototype) {
      const out = new Map();
      this.#remember(node, out);
      for (const [k, v] of node as Map<unknown, unknown>) out.set(this.revive(k), this.revive(v));
      return out;
    }
    if (proto === Set.prototype) {
      const out = new Set();
      this.#remember(node, out);
      for (const member of node as Set<unknown>) out.add(this.revive(member));
      return out;
    }
    return node; // Date, RegExp, binary: already what they are
  }

  #array(node: unknown[]): unknown[] {
    this.#remember(node, node);
    for (let i = 0; i < node.length; i++) {
      if (!(i in node)) continue;
      const item = node[i];
      if (isTag(item, "hole")) delete node[i];
      else node[i] = this.revive(item);
    }
    return node;
  }

  #fields(source: Record<string, unknown>, target: Record<string, unknown>): Record<string, unknown> {
    this.#remember(source, target);
    for (const key of Object.keys(source)) setOwn(target, key, this.revive(source[key]));
    return target;
  }

  #tag(tag: Record<string, unknown>): unknown {
    const type = tag[TAG];
    const v = tag.v;
    switch (type) {
      case "undefined":
        return undefined;
      case "number":
        if (v === "-0") return -0;
        if (v === "NaN") return NaN;
        if (v === "Infinity") return Infinity;
        if (v === "-Infinity") return -Infinity;
        throw new Error(`malformed number tag ${JSON.stringify(v)}`);
      case "bigint":
        if (typeof v !== "string" || !/^-?\d+$/.test(v)) throw new Error("malformed bigint tag");
        return BigInt(v);
      case "string":
        if (!Array.isArray(v) || !v.every((u) => Number.isInteger(u) && u >= 0 && u <= 0xffff)) throw new Error("malformed string tag");
        return fromCodeUnits(v as number[]);
      case "object": {
        const target = (tag.proto === null ? Object.create(null) : {}) as Record<string, unknown>;
        if (Array.isArray(tag.e)) {
          this.#remember(tag, target);
          for (const pair of tag.e) {
            if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new Error("malformed object entry");
            setOwn(target, pair[0], this.revive(pair[1]));
          }
          return target;
        }
        if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("malformed object tag");
        this.#remember(tag, target);
        return this.#fields(v as Record<string, unknown>, target);
      }
      case "Map": {
        if (!Array.isArray(v)) throw new Error("malformed Map tag");
        const out = new Map();
        this.#remember(tag, out);
        for (const entry of v) {
          if (!Array.isArray(entry) || entry.length !== 2) throw new Error("malformed Map entry");
          out.set(this.revive(entry[0]), this.revive(entry[1]));
        }
        return out;
      }
      case "Set": {
        if (!Array.isArray(v)) throw new Error("malformed Set tag");
        const out = new Set();
        this.#remember(tag, out);
        for (const member of v) out.add(this.revive(member));
        return out;
      }
      case "Date":
        if (v !== null && typeof v !== "string") throw new Error("malformed Date tag");
        return new Date(v === null ? NaN : v);
      case "RegExp":
        if (!Array.isArray(v) || typeof v[0] !== "string" || typeof v[1] !== "string") throw new Error("malformed RegExp tag");
        return new RegExp(v[0], v[1]);
      case "class":
        return this.#instance(tag);
      case "hole":
        throw new Error("an array hole outside an array");
      default:
        if (typeof type === "string" && isBinaryType(type)) {
          if (typeof v === "string") return fromBytes(type, Buffer.from(v, "base64"), true);
          if (v instanceof Uint8Array) return fromBytes(type, v);
        }
        throw new Error(`unknown tag ${JSON.stringify(type)}`);
    }
  }

  #instance(tag: Record<string, unknown>): object {
    const name = tag.name;
    const registered = typeof name === "string" ? classNamed(name) : undefined;
    if (!registered) {
      throw new Error(`the entry holds an instance of class ${String(name)}, which is not registered in this process (call registerClass)`);
    }
    this.#active.add(tag);
    const instance = registered.decode(this.revive(tag.v));
    this.#active.delete(tag);
    this.#remember(tag, instance);
    return instance;
  }

  #remember(node: object, value: unknown): void {
    if (this.graph) this.#done.set(node, value);
  }
}

function fromCodeUnits(units: readonly number[]): string {
  let out = "";
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.slice(i, i + 8192));
  return out;
}

function isTag(value: unknown, type: string): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[TAG] === type && Object.getPrototypeOf(value) === Object.prototype;
}
