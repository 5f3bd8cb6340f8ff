/**
 * Metadata filters: which stored metadata a query accepts. This file is the reference semantics; SQL
 * push-downs (`stores/sql/`) must accept exactly the same calls.
 *
 * A filter mirrors the metadata's shape, `{ namespace: { field: condition } }`, and every condition must
 * hold (AND). A condition is
 * - `undefined`: no condition (a wildcard);
 * - `null`: the field is present, with any value;
 * - a string, number or boolean: the field equals it (strictly: `1` never equals `"1"` or `true`);
 * - an array: the field is an equal array (deep, object key order ignored);
 * - a `Date`: the field equals its Unix time in seconds (the unit `Runtime` records);
 * - a plain object: the field is an object matching it partially (recursively, same rules);
 * - an operator object, whose keys all start with `$`: every operator holds (see {@link OPERATORS}).
 *
 * Operators other than `$exists: false` need the field to be present: `{ $ne: "x" }` does not match a
 * call that lacks the field.
 */
import { FlecheError } from "../errors.js";
import type { JsonValue } from "../call-record.js";

/** A metadata filter: per namespace, conditions on its fields (see this module's comment). */
export type MetadataFilter = { readonly [namespace: string]: { readonly [key: string]: unknown } };

/**
 * The operators, with what they require of the stored field:
 * `$eq` deep-equal to the operand (`{ $eq: null }` matches a stored `null` only); `$ne` present and not
 * deep-equal; `$gt`/`$gte`/`$lt`/`$lte` ordered against a number (numbers only) or a string (strings
 * only, by Unicode code point), a `Date` counting as its Unix seconds; `$in` deep-equal to one of the
 * listed values; `$exists` present (`true`) or absent (`false`); `$prefix` a string starting with the
 * operand (git commits, digests).
 */
export const OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$exists", "$prefix"] as const;

/** One operator name. */
export type Operator = (typeof OPERATORS)[number];

/** The ordering operators. */
export const RANGE_OPERATORS = ["$gt", "$gte", "$lt", "$lte"] as const;

const KNOWN = new Set<string>(OPERATORS);

/** True for a non-empty plain object whose keys all start with `$`. */
export function isOperatorObject(value: unknown): value is { readonly [op: string]: unknown } {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith("$"));
}

/** True for objects that are neither arrays, dates nor class instances. */
export function isPlainObject(value: unknown): value is { readonly [key: string]: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A `Date` as Unix seconds; other values unchanged. */
export function dateToSeconds(value: unknown): unknown {
  return value instanceof Date ? value.getTime() / 1000 : value;
}

/**
 * Check a user's filter and normalise it (dates become Unix seconds). Throws a `FlecheError` with code
 * `FLECHE_QUERY` naming the offending path for unknown operators, bad operands, and objects that mix
 * operators with field names.
 */
export function normalizeMetadataFilter(filter: unknown): MetadataFilter {
  if (!isPlainObject(filter)) throw queryError("metadata", "must be an object of namespaces");
  const out: Record<string, { readonly [key: string]: unknown }> = {};
  for (const [ns, fields] of Object.entries(filter)) {
    if (fields === undefined) continue;
    if (!isPlainObject(fields)) throw queryError(`metadata.${ns}`, "must be an object of fields (use {} to require the namespace)");
    const normalized = normalizeFields(fields, `metadata.${ns}`);
    if (!isWildcard(fields, normalized)) out[ns] = normalized;
  }
  return out;
}

function normalizeFields(fields: { readonly [key: string]: unknown }, path: string): { [key: string]: unknown } {
  if (isOperatorObject(fields)) return normalizeOperators(fields, path);
  const keys = Object.keys(fields);
  if (keys.some((k) => k.startsWith("$"))) throw queryError(path, `mixes operators with field names (${keys.join(", ")})`);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = fields[key];
    if (value === undefined) continue;
    const normalized = normalizeCondition(value, `${path}.${key}`);
    if (!isWildcard(value, normalized)) out[key] = normalized;
  }
  return out;
}

/** An operator object whose operands are all undefined is no condition at all (not "an empty object"). */
function isWildcard(original: unknown, normalized: unknown): boolean {
  return isOperatorObject(original) && isPlainObject(normalized) && Object.keys(normalized).length === 0;
}

function normalizeCondition(value: unknown, path: string): unknown {
  if (value instanceof Date) return dateToSeconds(value);
  if (isPlainObject(value)) return normalizeFields(value, path);
  return normalizeValue(value, path);
}

function normalizeOperators(ops: { readonly [op: string]: unknown }, path: string): { [op: string]: unknown } {
  const out: Record<string, unknown> = {};
  for (const [op, raw] of Object.entries(ops)) {
    if (!KNOWN.has(op)) throw queryError(path, `unknown operator ${op} (known: ${OPERATORS.join(", ")})`);
    if (raw === undefined) continue;
    const operand = dateToSeconds(raw);
    const where = `${path}.${op}`;
    switch (op as Operator) {
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        if (typeof operand !== "string" && (typeof operand !== "number" || Number.isNaN(operand))) {
          throw queryError(where, "needs a number, a string or a Date");
        }
        out[op] = operand;
        break;
      case "$in":
        if (!Array.isArray(operand)) throw queryError(where, "needs an array of values");
        out[op] = operand.map((v, i) => normalizeValue(dateToSeconds(v), `${where}[${i}]`));
        break;
      case "$exists":
        if (typeof operand !== "boolean") throw queryError(where, "needs true or false");
        out[op] = operand;
        break;
      case "$prefix":
        if (typeof operand !== "string") throw queryError(where, "needs a string");
        out[op] = operand;
        break;
      default:
        out[op] = normalizeValue(operand, where);
    }
  }
  return out;
}

/** A value compared for equality: JSON only (NaN and other non-JSON values can never be stored). */
function normalizeValue(value: unknown, path: string): unknown {
  const v = dateToSeconds(value);
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (Number.isNaN(v)) throw queryError(path, "is NaN, which equals nothing (use $exists to test presence)");
    return v;
  }
  if (Array.isArray(v)) return v.map((item, i) => normalizeValue(item, `${path}[${i}]`));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) if (item !== undefined) out[k] = normalizeValue(item, `${path}.${k}`);
    return out;
  }
  throw queryError(path, `cannot compare with a stored JSON value (${typeof v})`);
}

function queryError(path: string, problem: string): FlecheError {
  return new FlecheError(`Query filter ${path} ${problem}`, "FLECHE_QUERY");
}

/**
 * True when stored metadata satisfies a whole metadata filter. Its top level names namespaces, never
 * operators: a namespace called `$x` is a name like any other (only its conditions may be operators).
 */
export function namespacesMatch(filter: MetadataFilter, metadata: { readonly [namespace: string]: JsonValue | undefined }): boolean {
  return everyField(filter, metadata);
}

/** True when a stored object satisfies every condition of `wanted` (an operator object tests the object itself). */
export function fieldsMatch(wanted: { readonly [key: string]: unknown }, stored: { readonly [key: string]: JsonValue | undefined }): boolean {
  if (isOperatorObject(wanted)) return operatorsMatch(wanted, true, stored as JsonValue);
  return everyField(wanted, stored);
}

/** Each field condition holds on the stored object. */
function everyField(wanted: { readonly [key: string]: unknown }, stored: { readonly [key: string]: JsonValue | undefined }): boolean {
  for (const key of Object.keys(wanted)) {
    const want = wanted[key];
    if (want === undefined) continue;
    const present = Object.hasOwn(stored, key);
    if (isOperatorObject(want)) {
      if (!operatorsMatch(want, present, stored[key])) return false;
    } else if (!present || !conditionMatches(want, stored[key]!)) {
      return false;
    }
  }
  return true;
}

function conditionMatches(want: unknown, have: JsonValue): boolean {
  if (want === null) return true; // "present, any value"
  const w = dateToSeconds(want);
  if (Array.isArray(w)) return jsonEqual(w, have);
  if (isPlainObject(w)) return isPlainObject(have) && fieldsMatch(w, have as { [key: string]: JsonValue });
  return w === have;
}

/** Operators on one field; `present` says whether the field exists (`have` is then its value). */
function operatorsMatch(ops: { readonly [op: string]: unknown }, present: boolean, have: JsonValue | undefined): boolean {
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined) continue;
    if (op === "$exists") {
      if (raw !== present) return false;
      continue;
    }
    if (!present) return false;
    if (!operatorHolds(op, dateToSeconds(raw), have!)) return false;
  }
  return true;
}

function operatorHolds(op: string, operand: unknown, have: JsonValue): boolean {
  switch (op) {
    case "$eq":
      return jsonEqual(operand, have);
    case "$ne":
      return !jsonEqual(operand, have);
    case "$in":
      return Array.isArray(operand) && operand.some((v) => jsonEqual(dateToSeconds(v), have));
    case "$prefix":
      return typeof operand === "string" && typeof have === "string" && have.startsWith(operand);
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte": {
      const order = orderOf(have, operand);
      if (order === undefined) return false;
      return op === "$gt" ? order > 0 : op === "$gte" ? order >= 0 : op === "$lt" ? order < 0 : order <= 0;
    }
    default:
      throw new FlecheError(`Unknown query operator ${op} (known: ${OPERATORS.join(", ")})`, "FLECHE_QUERY");
  }
}

/** The sign of `have - operand` when both are numbers or both strings, else undefined. */
function orderOf(have: JsonValue, operand: unknown): number | undefined {
  if (typeof have === "number" && typeof operand === "number") {
    return have > operand ? 1 : have < operand ? -1 : have === operand ? 0 : undefined;
  }
  if (typeof have === "string" && typeof operand === "string") return compareCodePoints(have, operand);
  return undefined;
}

/** Order strings by Unicode code point (the order of UTF-8 bytes, which SQL binary collations use). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // both are the same astral character: skip its low surrogate
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Deep equality of JSON values (object key order ignored; `1` and `1.0` are the same number). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
