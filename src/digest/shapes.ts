/**
 * Key shapes of plain objects. Objects built by the same code share one key list; sorting it and encoding
 * its keys again for every object of a batch would cost more than the rest of the object's encoding. A few
 * recent key lists are kept with their sorted order and the keys' encoded bytes.
 */
import { ByteWriter } from "./writer.js";

/** One key list: as `Object.keys` returned it, sorted, and the sorted keys' string encodings. */
export interface Shape {
  readonly given: readonly string[];
  /** Keys sorted by UTF-16 code units (the default JS string sort). */
  readonly sorted: readonly string[];
  /** The encodings of the sorted keys, back to back; key `i` spans `[ends[i-1] ?? 0, ends[i])`. */
  readonly keyBytes: Uint8Array;
  readonly ends: readonly number[];
  /** Whether there is a `then` key (objects with a then() method are thenables, not data). */
  readonly hasThen: boolean;
}

/** Objects with more keys are treated as one-offs (dictionaries of data), not cached. */
export const MAX_SHAPE_KEYS = 32;
const CACHED_SHAPES = 8;

const shapes: Shape[] = [];
let next = 0;
let lastHit = 0;

/** The shape of `keys` (an `Object.keys` result with at most {@link MAX_SHAPE_KEYS} keys). */
export function shapeOf(keys: string[]): Shape {
  const recent = shapes[lastHit];
  if (recent !== undefined && sameKeys(recent.given, keys)) return recent;
  for (let i = 0; i < shapes.length; i++) {
    if (sameKeys(shapes[i]!.given, keys)) {
      lastHit = i;
      return shapes[i]!;
    }
  }
  const shape = buildShape(keys);
  shapes[next] = shape;
  lastHit = next;
  next = (next + 1) % CACHED_SHAPES;
  return shape;
}

function sameKeys(given: readonly string[], keys: readonly string[]): boolean {
  const n = keys.length;
  if (given.length !== n) return false;
  // Property keys are internalised strings, so these comparisons are pointer checks.
  for (let i = 0; i < n; i++) if (given[i] !== keys[i]) return false;
  return true;
}

/** Where new shapes' keys are encoded (no user code runs meanwhile, so one shared writer is safe). */
const scratch = new ByteWriter();

function buildShape(keys: string[]): Shape {
  const sorted = sortedKeys(keys);
  const ends: number[] = [];
  for (const key of sorted) {
    scratch.string(key);
    ends.push(scratch.pos);
  }
  const keyBytes = scratch.copy();
  scratch.reset();
  return { given: keys, sorted, keyBytes, ends, hasThen: keys.includes("then") };
}

/** `keys` sorted by UTF-16 code units; the same array when it already is (a common case). */
export function sortedKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) return [...keys].sort();
  }
  return keys;
}
