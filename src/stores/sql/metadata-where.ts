/**
 * Metadata filters → SQL. Each namespace filter is a condition on that namespace of the `calls.metadata`
 * JSON object (`Dialect.inNamespace`; a missing namespace is as a missing key) with JSON conditions on its data, following `query/metadata-filter.ts` rule for rule. Where a dialect cannot
 * say something exactly (deep equality of arrays and objects, huge numbers in SQLite, a `$prefix` ending
 * in half an astral character, string ranges on PostgreSQL around a lone surrogate) the condition becomes
 * a marked superset and the store finishes with `matchesRecord`. Names and strings the database cannot
 * store (`text.ts`) are in no stored record, so conditions on them are decided here, exactly.
 * Filters on `runtime.timestop` also constrain the indexed `c.timestop` column.
 */
import { FlecheError } from "../../errors.js";
import { dateToSeconds, isOperatorObject, isPlainObject, OPERATORS, type MetadataFilter } from "../../query/metadata-filter.js";
import { and, cond, FALSE, loose, not, or, TRUE, type Cond } from "./conditions.js";
import { prefixPlan } from "./text.js";
import type { Comparison, Dialect } from "./dialect.js";

/** The condition on `calls c` for a whole metadata filter. */
export function metadataCondition(filter: MetadataFilter, dialect: Dialect): Cond {
  const parts: Cond[] = [];
  for (const [ns, want] of Object.entries(filter)) {
    if (want !== undefined) parts.push(namespaceCondition(ns, want, dialect));
  }
  parts.push(timestopCondition(filter));
  return and(parts);
}

function namespaceCondition(ns: string, want: unknown, d: Dialect): Cond {
  if (!d.text.column(ns)) return absentHolds(want) ? TRUE : FALSE; // no stored record can carry this namespace
  if (isOperatorObject(want)) {
    const defined = Object.entries(want).filter(([, v]) => v !== undefined);
    if (defined.length === 0) return TRUE;
    const exists = want.$exists;
    const others = Object.fromEntries(defined.filter(([op]) => op !== "$exists"));
    if (exists === false) {
      return Object.keys(others).length ? FALSE : d.withoutNamespace(ns);
    }
    if (exists !== undefined && exists !== true) return FALSE;
    return d.inNamespace(ns, operatorCondition(d, others, []));
  }
  return d.inNamespace(ns, want === null ? TRUE : valueCondition(d, want, []));
}

/** Whether a condition holds on an absent field: only operator objects whose operators are all `$exists: false`. */
function absentHolds(want: unknown): boolean {
  return isOperatorObject(want) && Object.entries(want).every(([op, v]) => v === undefined || (op === "$exists" && v === false));
}

/** The value at `path` satisfies a plain (non-operator) condition; implies that it is present. */
function valueCondition(d: Dialect, want: unknown, path: readonly string[]): Cond {
  if (want === null) return d.json.exists(path);
  const w = dateToSeconds(want);
  if (Array.isArray(w)) return loose(d.json.kind(path, "array"));
  if (isPlainObject(w)) return and([d.json.kind(path, "object"), fieldsCondition(d, w, path)]);
  return equalsCondition(d, w, path);
}

function fieldsCondition(d: Dialect, wanted: { readonly [key: string]: unknown }, path: readonly string[]): Cond {
  const parts: Cond[] = [];
  for (const [key, want] of Object.entries(wanted)) {
    if (want === undefined) continue;
    const at = [...path, key];
    if (!d.text.key(key)) parts.push(absentHolds(want) ? TRUE : FALSE); // no stored object has this key
    else if (isOperatorObject(want)) parts.push(operatorCondition(d, want, at));
    else parts.push(valueCondition(d, want, at));
  }
  return and(parts);
}

const COMPARISONS: { readonly [op: string]: Comparison } = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" };

function operatorCondition(d: Dialect, ops: { readonly [op: string]: unknown }, path: readonly string[]): Cond {
  const { json } = d;
  const parts: Cond[] = [];
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined) continue;
    const v = dateToSeconds(raw);
    switch (op) {
      case "$exists":
        parts.push(v === true ? json.exists(path) : v === false ? json.absent(path) : FALSE);
        break;
      case "$eq":
        parts.push(equalsCondition(d, v, path));
        break;
      case "$ne":
        parts.push(and([json.exists(path), not(equalsCondition(d, v, path), TRUE)]));
        break;
      case "$in":
        parts.push(Array.isArray(v) ? or(v.map((x) => equalsCondition(d, dateToSeconds(x), path))) : FALSE);
        break;
      case "$prefix":
        parts.push(typeof v === "string" ? prefixCondition(d, v, path) : FALSE);
        break;
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        parts.push(rangeCondition(d, COMPARISONS[op]!, v, path));
        break;
      default:
        throw new FlecheError(`Unknown query operator ${op} (known: ${OPERATORS.join(", ")})`, "FLECHE_QUERY");
    }
  }
  return and(parts);
}

/** The value at `path` is deep-equal to `v` (JSON semantics). */
function equalsCondition(d: Dialect, v: unknown, path: readonly string[]): Cond {
  const { json } = d;
  if (v === null) return json.kind(path, "null");
  switch (typeof v) {
    case "boolean":
      return json.kind(path, v ? "true" : "false");
    case "number":
      return Number.isFinite(v) ? json.equalsNumber(path, v) : FALSE; // JSON holds no NaN or Infinity
    case "string":
      return d.text.json(v) ? json.equalsString(path, v) : FALSE; // never stored, so never equal
  }
  if (Array.isArray(v)) return loose(json.kind(path, "array"));
  if (isPlainObject(v)) return loose(json.kind(path, "object"));
  return FALSE;
}

/** The value at `path` is a string starting with `prefix` (JavaScript's `startsWith`, code unit by code unit). */
function prefixCondition(d: Dialect, prefix: string, path: readonly string[]): Cond {
  const plan = prefixPlan(prefix, d.text.json);
  if (plan.kind === "none") return FALSE;
  const test = plan.prefix === "" ? d.json.kind(path, "string") : d.json.startsWith(path, plan.prefix);
  return plan.kind === "exact" ? test : loose(test);
}

function rangeCondition(d: Dialect, op: Comparison, v: unknown, path: readonly string[]): Cond {
  const { json } = d;
  if (typeof v === "string") return stringRange(d, op, v, path);
  if (typeof v !== "number" || Number.isNaN(v)) return FALSE;
  if (Number.isFinite(v)) return json.compareNumber(path, op, v);
  const above = op === ">" || op === ">="; // every stored number is finite
  return above === v > 0 ? FALSE : json.kind(path, "number");
}

/**
 * A string range. An operand the database cannot store is rewritten when the rewrite is exact: with
 * `v = p + "\0" + rest` and no stored string holding a NUL, a stored `s` is above `v` exactly when it is
 * above `p`, and below `v` exactly when it is at most `p`. Otherwise (a lone surrogate PostgreSQL
 * would turn into U+FFFD) the range widens to "is a string".
 */
function stringRange(d: Dialect, op: Comparison, v: string, path: readonly string[]): Cond {
  if (d.text.json(v)) return d.json.compareString(path, op, v);
  const nul = v.indexOf("\u0000");
  const p = nul < 0 ? undefined : v.slice(0, nul);
  if (p === undefined || !d.text.json(p)) return loose(d.json.kind(path, "string"));
  return d.json.compareString(path, op === ">" || op === ">=" ? ">" : "<=", p);
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
