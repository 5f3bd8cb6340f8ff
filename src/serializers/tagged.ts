/**
 * Tagged trees: how values a format cannot hold natively travel through it. A value the format lacks
 * (a Map in JSON, `-0` in MessagePack, a registered class instance anywhere) becomes a small plain object
 * `{ "$fleche": "<type>", "v": ... }` that any reader of the format can see and fleche turns back into
 * the original. A plain object that happens to own a `$fleche` key is itself wrapped, so tags are never
 * ambiguous. Values no format can hold (functions, symbols, unregistered class instances) are refused
 * with a `SaveError` naming the path inside the value.
 *
 * One walker serves three profiles: JSON (only JSON's types are native), MessagePack (plus binary and
 * non-finite numbers) and v8 (everything structured clone keeps; only class instances are tagged, and
 * cycles and shared references survive). `untag.ts` turns trees back into values.
 */
import { SaveError } from "../errors.js";
import { binaryType, bytesOf, type BinaryValue } from "./binary.js";
import { registeredClassOf, setOwn, unregisteredMessage, type RegisteredClass } from "./classes.js";

/** The key that marks a tag object. */
export const TAG = "$fleche";

/** What a format holds natively. */
export interface TagProfile {
  /** The serializer's name, for messages. */
  readonly name: string;
  /** Structured clone: every built-in is native, cycles and shared references are kept. */
  readonly graph: boolean;
  /** Binary data may be written as bytes (else base64 text). */
  readonly bytes: boolean;
  /** NaN and ±Infinity are native numbers. */
  readonly nonFinite: boolean;
  /** Strings must be well-formed UTF-16 (UTF-8 formats cannot hold lone surrogates). */
  readonly wellFormed: boolean;
}

/** A value in the shape a format holds. */
export type Tree = unknown;

/** Turn `value` into a tree the profile's format holds. `tagged` tells whether any tag was written. */
export function toTagged(value: unknown, profile: TagProfile): { tree: Tree; tagged: boolean } {
  const walker = new Tagger(profile);
  const tree = walker.encode(value);
  return { tree, tagged: walker.tagged };
}

class Tagger {
  tagged = false;
  readonly #done = new Map<object, Tree>();
  readonly #active = new Set<object>();
  readonly #path: (string | number)[] = [];

  constructor(readonly profile: TagProfile) {}

  encode(value: unknown): Tree {
    switch (typeof value) {
      case "string":
        return this.profile.wellFormed && !isWellFormed(value) ? this.#tag("string", codeUnits(value)) : value;
      case "number":
        if (value === 0 && 1 / value < 0 && !this.profile.graph) return this.#tag("number", "-0");
        if (!Number.isFinite(value) && !this.profile.nonFinite && !this.profile.graph) return this.#tag("number", String(value));
        return value;
      case "boolean":
        return value;
      case "undefined":
        return this.profile.graph ? value : this.#tag("undefined");
      case "bigint":
        return this.profile.graph ? value : this.#tag("bigint", value.toString());
      case "object":
        return value === null ? null : this.#object(value);
      default:
        throw this.#refuse(`a ${typeof value} cannot be stored`);
    }
  }

  #object(value: object): Tree {
    const done = this.#done.get(value);
    if (done !== undefined) return done;
    if (this.#active.has(value)) throw this.#refuse(`it contains a cycle, which the ${this.profile.name} serializer cannot store (the v8 serializer can)`);
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Array.prototype) return this.#array(value as unknown[]);
    if (proto === Object.prototype || proto === null) return this.#plain(value as Record<string, unknown>, proto === null);
    if (proto === Map.prototype) return this.#map(value as Map<unknown, unknown>);
    if (proto === Set.prototype) return this.#set(value as Set<unknown>);
    if (this.profile.graph && (proto === Date.prototype || proto === RegExp.prototype || binaryType(value))) return value;
    if (proto === Date.prototype) {
      const time = (value as Date).getTime();
      return this.#tag("Date", Number.isNaN(time) ? null : (value as Date).toISOString());
    }
    if (proto === RegExp.prototype) return this.#tag("RegExp", [(value as RegExp).source, (value as RegExp).flags]);
    const binary = binaryType(value);
    if (binary) {
      const bytes = bytesOf(value as BinaryValue);
      return this.#tag(binary, this.profile.bytes ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"));
    }
    const registered = registeredClassOf(value);
    if (registered) return this.#instance(value, registered);
    throw new SaveError(unregisteredMessage(value, this.#where(), this.profile.name));
  }

  #array(value: unknown[]): Tree {
    const out = new Array<Tree>(value.length);
    this.#enter(value, out);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) {
        if (!this.profile.graph) out[i] = this.#tag("hole");
        continue;
      }
      this.#path.push(i);
      out[i] = this.encode(value[i]);
      this.#path.pop();
    }
    return this.#leave(value, out);
  }

  #plain(value: Record<string, unknown>, nullPrototype: boolean): Tree {
    if (!this.profile.graph && Object.hasOwn(value, "__proto__")) return this.#entries(value, nullPrototype);
    const fields: Record<string, Tree> = {};
    // An object owning the tag key, or one without a prototype, is wrapped so it reads back exactly.
    const wrapped = nullPrototype || Object.hasOwn(value, TAG);
    const out = wrapped ? this.#tag("object", fields, nullPrototype ? { proto: null } : undefined) : fields;
    this.#enter(value, out);
    for (const key of Object.keys(value)) {
      this.#path.push(key);
      setOwn(fields, key, this.encode(value[key]));
      this.#path.pop();
    }
    return this.#leave(value, out);
  }

  /** An object owning a `__proto__` key, as key-value pairs: some parsers (msgpackr) rename that key. */
  #entries(value: Record<string, unknown>, nullPrototype: boolean): Tree {
    const pairs: Tree[] = [];
    const out = this.#tag("object", undefined, nullPrototype ? { proto: null, e: pairs } : { e: pairs });
    this.#enter(value, out);
    for (const key of Object.keys(value)) {
      this.#path.push(key);
      pairs.push([key, this.encode(value[key])]);
      this.#path.pop();
    }
    return this.#leave(value, out);
  }

  #map(value: Map<unknown, unknown>): Tree {
    if (this.profile.graph) {
      const out = new Map<Tree, Tree>();
      this.#enter(value, out);
      let i = 0;
      for (const [k, v] of value) {
        this.#path.push(`<entry ${i++}>`);
        out.set(this.encode(k), this.encode(v));
        this.#path.pop();
      }
      return this.#leave(value, out);
    }
    const entries: Tree[] = [];
    const out = this.#tag("Map", entries);
    this.#enter(value, out);
    let i = 0;
    for (const [k, v] of value) {
      this.#path.push(`<entry ${i++}>`);
      entries.push([this.encode(k), this.encode(v)]);
      this.#path.pop();
    }
    return this.#leave(value, out);
  }

  #set(value: Set<unknown>): Tree {
    const members: Tree[] = [];
    const out = this.profile.graph ? new Set<Tree>() : this.#tag("Set", members);
    this.#enter(value, out);
    let i = 0;
    for (const member of value) {
      this.#path.push(`<member ${i++}>`);
      const encoded = this.encode(member);
      if (out instanceof Set) out.add(encoded);
      else members.push(encoded);
      this.#path.pop();
    }
    return this.#leave(value, out);
  }

  #instance(value: object, registered: RegisteredClass): Tree {
    // A class's data is encoded while the instance is active: data that leads back to the instance
    // would need the instance before its data exists, so such cycles are refused.
    this.#active.add(value);
    let data: unknown;
    try {
      data = registered.encode(value);
    } catch (error) {
      throw new SaveError(`Cannot store ${this.#where()}: encoding its class ${registered.name} failed (${(error as Error).message})`, { cause: error });
    }
    if (data === value) throw this.#refuse(`the encode function of class ${registered.name} returned the instance itself`);
    const out = this.#tag("class", this.encode(data), { name: registered.name });
    this.#active.delete(value);
    this.#done.set(value, out);
    return out;
  }

  #enter(value: object, out: Tree): void {
    this.#active.add(value);
    // Graph formats share the output node, so shared references and cycles survive. Tree formats only
    // share finished nodes (written twice by the format), never active ones (cycles are refused above).
    if (this.profile.graph) this.#done.set(value, out);
  }

  #leave(value: object, out: Tree): Tree {
    this.#active.delete(value);
    this.#done.set(value, out);
    return out;
  }

  #tag(type: string, v?: unknown, extra?: Record<string, unknown>): Record<string, unknown> {
    this.tagged = true;
    const tag: Record<string, unknown> = { [TAG]: type };
    if (extra) Object.assign(tag, extra);
    if (v !== undefined) tag.v = v;
    return tag;
  }

  #where(): string {
    let where = "value";
    for (const segment of this.#path) {
      if (typeof segment === "number") where += `[${segment}]`;
      else if (segment.startsWith("<")) where += ` ${segment}`;
      else where += /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    }
    return where;
  }

  #refuse(reason: string): SaveError {
    return new SaveError(`Cannot store ${this.#where()} with the ${this.profile.name} serializer: ${reason}`);
  }
}

/** `String.prototype.isWellFormed` (Node 20 has it; TypeScript's ES2022 library does not declare it). */
function isWellFormed(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function codeUnits(value: string): number[] {
  const units = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) units[i] = value.charCodeAt(i);
  return units;
}
