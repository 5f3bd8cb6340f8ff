/**
 * Argument and result values as the UI shows them: type, shape, stored size and a bounded preview. A
 * value is loaded only for the one call shown in full, never for table rows (those show inline values
 * and digests, read from the record).
 */
import { inspect } from "node:util";
import { CacheMiss } from "../errors.js";
import { inlineValueOf, type CallRecord } from "../call-record.js";
import { NdArray } from "../ndarray.js";
import { storedSize } from "../stats/stored-size.js";
import type { CacheLike } from "../cache-like.js";
import type { ValueStore } from "../stores/types.js";

/** One value of a call, described. */
export interface ValueView {
  readonly digest: string;
  /** `number`, `string`, `Float64Array`, `Array`, `Map`, a class name, … */
  readonly type?: string;
  /** Lengths per dimension for arrays, typed arrays and nd-arrays; entry count for maps, sets and objects. */
  readonly shape?: readonly number[];
  /** Bytes of its stored entry (null: the store cannot tell; absent: inline in the record). */
  readonly bytes?: number | null;
  /** Carried inside the call record. */
  readonly inline: boolean;
  /** A bounded rendering (at most about 2,000 characters). */
  readonly preview?: string;
  /** Why the value is not shown: gone from the store, unreadable. */
  readonly problem?: string;
}

/** A value described, and the value itself when it loaded. */
export interface LoadedView {
  readonly view: ValueView;
  readonly loaded: boolean;
  readonly value?: unknown;
}

/** Describe the value `digest` of `record`, loading it through `cache`. */
export async function viewValue(cache: CacheLike, values: readonly ValueStore[], record: CallRecord, digest: string): Promise<LoadedView> {
  const inline = inlineValueOf(record, digest);
  if (inline !== undefined) return { view: { digest, inline: true, ...describe(inline) }, loaded: true, value: inline };
  let value: unknown;
  try {
    value = await cache.loadValue(digest);
  } catch (error) {
    return { view: { digest, inline: false, problem: error instanceof CacheMiss ? error.message : `unreadable: ${(error as Error).message}` }, loaded: false };
  }
  let bytes: number | null = null;
  for (const store of values) {
    const size = await storedSize(store, digest);
    if (size !== undefined) {
      bytes = size;
      break;
    }
  }
  return { view: { digest, inline: false, bytes, ...describe(value) }, loaded: true, value };
}

function describe(value: unknown): { type: string; shape?: number[]; preview: string } {
  const preview = inspect(value, { depth: 4, maxArrayLength: 40, maxStringLength: 1000, breakLength: 100, colors: false });
  const clipped = preview.length > 2000 ? `${preview.slice(0, 1999)}…` : preview;
  if (value instanceof NdArray) return { type: `NdArray<${value.data.constructor.name}>`, shape: [...value.shape], preview: clipped };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return { type: value.constructor.name, shape: [(value as unknown as ArrayLike<unknown>).length], preview: clipped };
  if (Array.isArray(value)) return { type: "Array", shape: [value.length], preview: clipped };
  if (value instanceof Map || value instanceof Set) return { type: value.constructor.name, shape: [value.size], preview: clipped };
  if (value === null) return { type: "null", preview: clipped };
  if (typeof value === "object") {
    const name = (value as object).constructor?.name ?? "Object";
    return { type: name, shape: [Object.keys(value).length], preview: clipped };
  }
  if (typeof value === "string") return { type: "string", shape: [value.length], preview: clipped };
  return { type: typeof value, preview: clipped };
}
