/**
 * Metadata filters → SQL. Each namespace filter is an EXISTS on that namespace's `metadata` row with
 * JSON conditions on its data, following `query/metadata-filter.ts` rule for rule. Where a dialect cannot
 * say something exactly (deep equality of arrays and objects, huge numbers in SQLite, keys SQLite's JSON
 * paths cannot quote) the condition becomes a marked superset and the store finishes with
 * `matchesRecord`. Filters on `runtime.timestop` also constrain the indexed `c.timestop` column.
 */
import { FlecheError } from "../../errors.js";
import { dateToSeconds, isOperatorObject, isPlainObject, OPERATORS, type MetadataFilter } from "../../query/metadata-filter.js";
import { and, cond, FALSE, loose, not, or, TRUE, type Cond } from "./conditions.js";
import type { Comparison, Dialect, JsonOps } from "./dialect.js";

/** The condition on `calls c` for a whole metadata filter. */
export function metadataCondition(filter: MetadataFilter, dialect: Dialect): Cond {
  const parts: Cond[] = [];
  for (const [ns, want] of Object.entries(filter)) {
    if (want !== undefined) parts.push(namespaceCondition(ns, want, dialect.json));
  }
  parts.push(timestopCondition(filter));
  return and(parts);
}

/** The namespace's row exists and `inner` holds on its data. */
function inNamespace(ns: string, inner: Cond): Cond {
  const extra = inner === TRUE ? "" : ` AND (${inner.sql})`;
  return cond(`EXISTS (SELECT 1 FROM metadata m WHERE m.call_key = c.key AND m.namespace = ?${extra})`, [ns, ...inner.params], inner.exact);
}

function namespaceCondition(ns: string, want: unknown, json: JsonOps): Cond {
  if (isOperatorObject(want)) {
    const defined = Object.entries(want).filter(([, v]) => v !== undefined);
    if (defined.length === 0) return TRUE;
    const exists = want.$exists;
    const others = Object.fromEntries(defined.filter(([op]) => op !== "$exists"));
    if (exists === false) {
      return Object.keys(others).length ? FALSE : cond("NOT EXISTS (SELECT 1 FROM metadata m WHERE m.call_key = c.key AND m.namespace = ?)", [ns]);
    }
    if (exists !== undefined && exists !== true) return FALSE;
    return inNamespace(ns, operatorCondition(json, others, []));
  }
  return inNamespace(ns, want === null ? TRUE : valueCondition(json, want, []));
}

/** The value at `path` satisfies a plain (non-operator) condition; implies that it is present. */
function valueCondition(json: JsonOps, want: unknown, path: readonly string[]): Cond {
  if (want === null) return json.exists(path);
  const w = dateToSeconds(want);
  if (Array.isArray(w)) return loose(json.kind(path, "array"));
  if (isPlainObject(w)) return and([json.kind(path, "object"), fieldsCondition(json, w, path)]);
  return equalsCondition(json, w, path);
}

function fieldsCondition(json: JsonOps, wanted: { readonly [key: string]: unknown }, path: readonly string[]): Cond {
  const parts: Cond[] = [];
  for (const [key, want] of Object.entries(wanted)) {
    if (want === undefined) continue;
    const at = [...path, key];
    if (!json.addressable(at)) parts.push(loose(TRUE));
    else if (isOperatorObject(want)) parts.push(operatorCondition(json, want, at));
    else parts.push(valueCondition(json, want, at));
  }
  return and(parts);
}

const COMPARISONS: { readonly [op: string]: Comparison } = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };

function operatorCondition(json: JsonOps, ops: { readonly [op: string]: unknown }, path: readonly string[]): Cond {
  const parts: Cond[] = [];
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined) continue;
    const v = dateToSeconds(raw);
    switch (op) {
      case "$exists":
        parts.push(v === true ? json.exists(path) : v === false ? json.absent(path) : FALSE);
        break;
      case "$eq":
        parts.push(equalsCondition(json, v, path));
        break;
      case "$ne":
        parts.push(and([json.exists(path), not(equalsCondition(json, v, path), TRUE)]));
        break;
      case "$in":
        parts.push(Array.isArray(v) ? or(v.map((x) => equalsCondition(json, dateToSeconds(x), path))) : FALSE);
        break;
      case "$prefix":
        parts.push(typeof v === "string" ? json.startsWith(path, v) : FALSE);
        break;
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        parts.push(rangeCondition(json, COMPARISONS[op]!, v, path));
        break;
      default:
        throw new FlecheError(`Unknown query operator ${op} (known: ${OPERATORS.join(", ")})`, "FLECHE_QUERY");
    }
  }
  return and(parts);
}

/** The value at `path` is deep-equal to `v` (JSON semantics). */
function equalsCondition(json: JsonOps, v: unknown, path: readonly string[]): Cond {
  if (v === null) return json.kind(path, "null");
  switch (typeof v) {
    case "boolean":
      return json.kind(path, v ? "true" : "false");
    case "number":
      return Number.isFinite(v) ? json.equalsNumber(path, v) : FALSE; // JSON holds no NaN or Infinity
    case "string":
      return json.equalsString(path, v);
  }
  if (Array.isArray(v)) return loose(json.kind(path, "array"));
  if (isPlainObject(v)) return loose(json.kind(path, "object"));
  return FALSE;
}

function rangeCondition(json: JsonOps, op: Comparison, v: unknown, path: readonly string[]): Cond {
  if (typeof v === "string") return json.compareString(path, op, v);
  if (typeof v !== "number" || Number.isNaN(v)) return FALSE;
  if (Number.isFinite(v)) return json.compareNumber(path, op, v);
  const above = op === ">" || op === ">="; // every stored number is finite
  return above === v > 0 ? FALSE : json.kind(path, "number");
}

/** Conditions on `runtime.timestop` also hold for the indexed `c.timestop` column that mirrors it. */
function timestopCondition(filter: MetadataFilter): Cond {
  const runtime: unknown = filter.runtime;
  if (!isPlainObject(runtime) || isOperatorObject(runtime as unknown)) return TRUE;
  const want = dateToSeconds(runtime.timestop);
  if (typeof want === "number" && Number.isFinite(want)) return cond("c.timestop = ?", [want]);
  if (!isOperatorObject(want)) return TRUE;
  const parts: Cond[] = [];
  for (const [op, sql] of [["$eq", "="], ...Object.entries(COMPARISONS)] as const) {
    const v = dateToSeconds(want[op]);
    if (typeof v === "number" && Number.isFinite(v)) parts.push(cond(`c.timestop ${sql} ?`, [v]));
  }
  return and(parts);
}
