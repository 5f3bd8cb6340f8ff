/**
 * The Digest v1 encoder: walks a value and writes its canonical, type-tagged, length-prefixed bytes
 * (docs/digest.md is the specification; tags.ts holds the tag bytes). The bytes are hashed once at the end.
 *
 * Values equal by content encode equally (object key order, Map/Set insertion order and shared vs copied
 * references do not matter); values JavaScript tells apart encode differently.
 */
import type { Digest } from "./digest-ref.js";
import { digestSymbol, findHook, hooks, unwrap, type DigestHook } from "./hooks.js";
import * as reason from "./reasons.js";
import { MAX_SHAPE_KEYS, shapeOf, sortedKeys } from "./shapes.js";
import { BIG_ENDIAN_HOST, ELEMENT_TYPES, KINDS, Kind, isDetached, toLittleEndian, type TypedArray } from "./builtins.js";
import { Tag } from "./tags.js";
import {
  CUSTOM_SEGMENT,
  indexSegment,
  keySegment,
  mapKeySegment,
  mapValueSegment,
  setMemberSegment,
  Trail,
} from "./trail.js";
import { ByteWriter } from "./writer.js";

const functionToString = Function.prototype.toString;

/** One encoding in progress. Not reentrant: a hook that calls digest() gets another Encoder from the pool. */
export class Encoder {
  readonly out = new ByteWriter();
  /** The containers (and custom-digested objects) currently being encoded, outermost first; finds cycles. */
  private readonly stack: object[] = [];

  /** Encode `value` and return its hex SHA-256. */
  digestHex(value: unknown): string {
    this.encode(value);
    return this.out.finish();
  }

  /** Forget a failed encoding so the encoder can be reused. */
  reset(): void {
    this.stack.length = 0;
    this.out.reset();
  }

  encode(value: unknown): void {
    switch (typeof value) {
      case "number":
        this.out.byte(Tag.Number);
        this.out.float64(value);
        return;
      case "string":
        this.out.string(value);
        return;
      case "boolean":
        this.out.byte(value ? Tag.True : Tag.False);
        return;
      case "undefined":
        this.out.byte(Tag.Undefined);
        return;
      case "bigint":
        this.bigint(value);
        return;
      case "object":
        if (value === null) this.out.byte(Tag.Null);
        else this.reference(value);
        return;
      case "function":
        this.reference(unwrap(value));
        return;
      default:
        throw new Trail(value, reason.SYMBOL_VALUE);
    }
  }

  /** Objects and functions: cycles first, then hooks, the digest method, and the built-in rules. */
  private reference(value: object): void {
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i] === value) {
        this.out.byte(Tag.BackRef);
        this.out.varint(stack.length - i);
        return;
      }
    }
    if (hooks.length !== 0) {
      const hook = this.hookFor(value);
      if (hook !== undefined) return this.custom(value, hook.fn, hook);
    }
    const method = (value as { [digestSymbol]?: unknown })[digestSymbol];
    if (typeof method === "function") return this.custom(value, method, undefined);
    if (typeof value === "function") return this.function(value);

    const proto: object | null = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return this.plainObject(value as Record<string, unknown>);
    if (proto === Array.prototype) return this.array(value as unknown[]);
    switch (KINDS.get(proto)) {
      case Kind.Map:
        return this.map(value as Map<unknown, unknown>);
      case Kind.Set:
        return this.set(value as Set<unknown>);
      case Kind.Date:
        this.out.byte(Tag.Date);
        this.out.float64((value as Date).getTime());
        return;
      case Kind.RegExp:
        this.out.byte(Tag.RegExp);
        this.out.string((value as RegExp).source);
        this.out.string((value as RegExp).flags);
        return;
      case Kind.TypedArray:
        return this.typedArray(value as TypedArray, ELEMENT_TYPES.get(proto)!);
      case Kind.ArrayBuffer:
        if (isDetached(value as ArrayBuffer)) throw new Trail(value, reason.DETACHED);
        return this.binary(Tag.ArrayBuffer, new Uint8Array(value as ArrayBuffer));
      case Kind.SharedArrayBuffer:
        return this.binary(Tag.SharedArrayBuffer, new Uint8Array(value as SharedArrayBuffer));
      case Kind.DataView: {
        const view = value as DataView;
        // Checked first: reading byteLength of a view on a detached buffer throws.
        if (isDetached(view.buffer)) throw new Trail(value, reason.DETACHED);
        return this.binary(Tag.DataView, new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      }
      case Kind.DigestRef:
        this.out.byte(Tag.DigestRef);
        this.out.string((value as Digest).hex);
        return;
      default:
        throw new Trail(value, reason.whyIndigestible(value));
    }
  }

  private hookFor(value: object): DigestHook | undefined {
    try {
      return findHook(value);
    } catch (error) {
      throw new Trail(value, `a digest hook predicate threw: ${messageOf(error)}`, error);
    }
  }

  /** Tag Custom + the encoding of what the hook or method returned for `value`. */
  private custom(value: object, produce: Function, hook: DigestHook | undefined): void {
    let stand: unknown;
    try {
      stand = hook === undefined ? produce.call(value) : produce(value);
    } catch (error) {
      if (isStackOverflow(error)) throw error; // reported once, at the top, without a misleading path
      throw new Trail(value, `its digest ${hook ? "hook" : "method"} threw: ${messageOf(error)}`, error);
    }
    if (stand === value) throw new Trail(value, reason.RETURNS_ITSELF);
    this.out.byte(Tag.Custom);
    // On the stack so that a returned structure pointing back at `value` becomes a back-reference.
    this.stack.push(value);
    try {
      this.encode(stand);
    } catch (error) {
      if (error instanceof Trail) error.segments.push(CUSTOM_SEGMENT);
      throw error;
    }
    this.stack.pop();
  }

  private function(fn: Function): void {
    const name = typeof fn.name === "string" ? fn.name : "";
    const source = functionToString.call(fn);
    if (name.startsWith("bound ") && source.endsWith("[native code] }")) {
      throw new Trail(fn, reason.BOUND_FUNCTION);
    }
    this.out.byte(Tag.Function);
    this.out.string(name);
    this.out.string(source);
  }

  /** Sign byte, then the magnitude as minimal big-endian bytes (0n has none). */
  private bigint(value: bigint): void {
    const negative = value < 0n;
    const magnitude = negative ? -value : value;
    this.out.byte(Tag.BigInt);
    this.out.byte(negative ? 1 : 0);
    if (magnitude === 0n) {
      this.out.varint(0);
      return;
    }
    let hex = magnitude.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    this.out.varint(hex.length / 2);
    this.out.ensure(hex.length / 2);
    this.out.pos += this.out.buf.write(hex, this.out.pos, "hex");
  }

  private array(array: unknown[]): void {
    const n = array.length;
    this.out.byte(Tag.Array);
    this.out.varint(n);
    this.stack.push(array);
    let i = 0;
    try {
      for (; i < n; i++) {
        const item = array[i];
        // A hole reads as undefined; `in` tells them apart, and only undefined elements pay for it.
        if (item === undefined && !(i in array)) this.out.byte(Tag.Hole);
        else this.encode(item);
      }
    } catch (error) {
      if (error instanceof Trail) error.segments.push(indexSegment(i));
      throw error;
    }
    this.stack.pop();
  }

  /** Own enumerable string keys, sorted by UTF-16 code units (the default JS string order). */
  private plainObject(object: Record<string, unknown>): void {
    const keys = Object.keys(object);
    const n = keys.length;
    const shape = n <= MAX_SHAPE_KEYS ? shapeOf(keys) : undefined;
    const sorted = shape === undefined ? sortedKeys(keys) : shape.sorted;
    const hasThen = shape === undefined ? keys.includes("then") : shape.hasThen;
    if (hasThen && typeof object.then === "function") throw new Trail(object, reason.THENABLE);
    const symbols = Object.getOwnPropertySymbols(object);
    if (symbols.length !== 0 && symbols.some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))) {
      throw new Trail(object, reason.SYMBOL_KEYS);
    }

    this.out.byte(Tag.Object);
    this.out.varint(n);
    this.stack.push(object);
    let i = 0;
    try {
      if (shape === undefined) {
        for (; i < n; i++) {
          const key = sorted[i]!;
          this.out.string(key);
          this.encode(object[key]);
        }
      } else {
        const { keyBytes, ends } = shape;
        for (; i < n; i++) {
          this.out.copyRange(keyBytes, i === 0 ? 0 : ends[i - 1]!, ends[i]!);
          this.encode(object[sorted[i]!]);
        }
      }
    } catch (error) {
      if (error instanceof Trail) error.segments.push(keySegment(sorted[i]!));
      throw error;
    }
    this.stack.pop();
  }

  /** Entries encoded in place, then sorted by their bytes (key first; encodings are prefix-free). */
  private map(map: Map<unknown, unknown>): void {
    this.out.byte(Tag.Map);
    this.out.varint(map.size);
    this.stack.push(map);
    this.out.noStream++;
    const start = this.out.pos;
    const ends: number[] = [];
    let index = 0;
    let inKey = true;
    let currentKey: unknown;
    try {
      for (const [key, value] of map) {
        currentKey = key;
        inKey = true;
        this.encode(key);
        inKey = false;
        this.encode(value);
        ends.push(this.out.pos);
        index++;
      }
    } catch (error) {
      if (error instanceof Trail) error.segments.push(inKey ? mapKeySegment(index) : mapValueSegment(currentKey, index));
      throw error;
    }
    this.out.noStream--;
    this.stack.pop();
    this.out.sortRegions(start, ends);
  }

  /** Members encoded in place, then sorted by their bytes. */
  private set(set: Set<unknown>): void {
    this.out.byte(Tag.Set);
    this.out.varint(set.size);
    this.stack.push(set);
    this.out.noStream++;
    const start = this.out.pos;
    const ends: number[] = [];
    try {
      for (const member of set) {
        this.encode(member);
        ends.push(this.out.pos);
      }
    } catch (error) {
      if (error instanceof Trail) error.segments.push(setMemberSegment(ends.length));
      throw error;
    }
    this.out.noStream--;
    this.stack.pop();
    this.out.sortRegions(start, ends);
  }

  /** Element type, element count, then the elements' bytes in little-endian order. */
  private typedArray(array: TypedArray, elementType: number): void {
    if (isDetached(array.buffer)) throw new Trail(array, reason.DETACHED);
    this.out.byte(Tag.TypedArray);
    this.out.byte(elementType);
    this.out.varint(array.length);
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    this.out.bytes(BIG_ENDIAN_HOST ? toLittleEndian(bytes, array.BYTES_PER_ELEMENT) : bytes);
  }

  /** ArrayBuffer, SharedArrayBuffer, DataView: tag, byte length, bytes as they are. */
  private binary(tag: number, bytes: Uint8Array): void {
    this.out.byte(tag);
    this.out.varint(bytes.length);
    this.out.bytes(bytes);
  }
}

/**
 * V8's "Maximum call stack size exceeded". No regular expression here: this runs near the end of the
 * stack, where compiling one overflows too, and V8 then reports the overflow as a `SyntaxError` naming
 * the expression (which is recognised as well, should any code on the way have met it).
 */
export function isStackOverflow(error: unknown): boolean {
  return (error instanceof RangeError || error instanceof SyntaxError) && error.message.includes("Maximum call stack size exceeded");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
