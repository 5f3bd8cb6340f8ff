/**
 * The stored form of a call: small, JSON-serialisable, readable without fleche. Values never appear in
 * a record, only their digests, so call stores can be listed, queried and garbage-collected without
 * deserialising anything heavy.
 */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Metadata of one namespace, e.g. `runtime` → `{ timestart, timestop, walltime, ... }`. */
export type MetadataNamespace = { readonly [key: string]: JsonValue };

/** Metadata of a call by namespace (`runtime`, `tags`, `environment`, `git`, ...). */
export type Metadata = { readonly [namespace: string]: MetadataNamespace };

/**
 * A small value stored inside the call record instead of the value store (see {@link CallRecord.inline}):
 * a string of at most {@link INLINE_STRING_LIMIT} characters, a finite number other than -0, a boolean,
 * or null. These survive JSON exactly, which every call store can hold.
 */
export type InlineValue = string | number | boolean | null;

/** The longest string kept inline. */
export const INLINE_STRING_LIMIT = 256;

/** One small value inside a call record: its digest and the value. */
export type InlineEntry = readonly [digest: string, value: InlineValue];

/** True for values that travel inside call records. */
export function isInlineValue(value: unknown): value is InlineValue {
  switch (typeof value) {
    case "string":
      return value.length <= INLINE_STRING_LIMIT;
    case "number":
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case "boolean":
      return true;
    case "object":
      return value === null;
    default:
      return false;
  }
}

/** A function version as the user wrote it; `1` and `"1"` are different versions. */
export type Version = string | number | null;

/** One stored call. */
export interface CallRecord {
  /** The lookup key: SHA-256 over the function identity and the argument digests (see docs/digest.md). */
  readonly key: string;
  /** The function's name. */
  readonly name: string;
  /** Where the function lives (package and path), or null when keyed without it. */
  readonly module: string | null;
  /** The function's declared version, or null. */
  readonly version: Version;
  /** The digest of the function's source when `hashCode` is on, else null. */
  readonly codeDigest: string | null;
  /** Parameter name → digest of the argument value, in parameter order. */
  readonly arguments: { readonly [name: string]: string };
  /** Digest of the result value, or null while the call is being computed. */
  readonly result: string | null;
  /** Metadata by namespace; not part of the key. */
  readonly metadata: Metadata;
  /**
   * Small argument and result values with their digests, kept in the record so that a small call costs
   * one record write and one record read, not a file or row per value. Absent when there are none.
   * (Pairs rather than an object keyed by digest: objects with ever-new 64-character keys are slow to
   * build and to parse.)
   */
  readonly inline?: readonly InlineEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Check that a parsed object really is a call record, so a corrupt or foreign file is treated as a miss
 * rather than handed to the user. Returns a reason when it is not, else undefined.
 */
export function recordProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const r = value as Record<string, unknown>;
  if (typeof r.key !== "string" || !HEX64.test(r.key)) return "key is not a 64-hex digest";
  if (typeof r.name !== "string") return "name is not a string";
  if (r.module !== null && typeof r.module !== "string") return "module is neither null nor a string";
  if (r.version !== null && typeof r.version !== "string" && typeof r.version !== "number") {
    return "version is neither null, a string nor a number";
  }
  if (r.codeDigest !== null && typeof r.codeDigest !== "string") return "codeDigest is neither null nor a string";
  if (typeof r.arguments !== "object" || r.arguments === null || Array.isArray(r.arguments)) {
    return "arguments is not an object";
  }
  for (const d of Object.values(r.arguments)) if (typeof d !== "string") return "an argument digest is not a string";
  if (r.result !== null && typeof r.result !== "string") return "result is neither null nor a string";
  if (typeof r.metadata !== "object" || r.metadata === null || Array.isArray(r.metadata)) {
    return "metadata is not an object";
  }
  if (r.inline !== undefined) {
    const problem = inlineProblem(r.inline);
    if (problem) return problem;
  }
  return undefined;
}

/** Why `inline` (as parsed from storage) is not a list of small values with their digests, or undefined. */
export function inlineProblem(inline: unknown): string | undefined {
  if (!Array.isArray(inline)) return "inline is not a list";
  for (const entry of inline) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string") return "an inline entry is not a [digest, value] pair";
    if (!isInlineValue(entry[1])) return "an inline value is not a small JSON primitive";
  }
  return undefined;
}

/** The inline value stored for `digest`, or undefined when the record does not carry it. */
export function inlineValueOf(record: { readonly inline?: readonly InlineEntry[] }, digest: string): InlineValue | undefined {
  const inline = record.inline;
  if (inline === undefined) return undefined;
  for (let i = 0; i < inline.length; i++) if (inline[i]![0] === digest) return inline[i]![1];
  return undefined;
}

/** Deep-freeze a record so stores can hand out the same object without copying. */
export function freezeRecord(record: CallRecord): CallRecord {
  if (Object.isFrozen(record)) return record;
  Object.freeze(record.arguments);
  if (record.inline) {
    for (const entry of record.inline) Object.freeze(entry);
    Object.freeze(record.inline);
  }
  for (const namespace in record.metadata) deepFreeze(record.metadata[namespace]);
  Object.freeze(record.metadata);
  return Object.freeze(record);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
}
