/**
 * Query templates → SQL over `calls c`. Function identity compares columns; each argument filter is an
 * indexed lookup in `arguments` by (name, value); result and argument digests may be prefixes (index
 * ranges); metadata filters become JSON conditions on the namespace's row (see `metadata-where.ts`).
 * A string the database cannot hold in a text column (`text.ts`) is in no stored record: a condition
 * on it is false here, never sent (PostgreSQL would refuse a NUL with a raw error).
 */
import { and, cond, FALSE, isAscii, loose, successor, type Cond } from "./conditions.js";
import { metadataCondition } from "./metadata-where.js";
import { prefixPlan } from "./text.js";
import type { Dialect } from "./dialect.js";
import type { RecordTemplate } from "../../query/template.js";

/** The WHERE condition selecting the `calls c` rows a template accepts (exact, or a marked superset). */
export function templateCondition(template: RecordTemplate, dialect: Dialect): Cond {
  const parts: Cond[] = [];
  const text = (value: string): boolean => dialect.text.column(value);
  const equals = (column: string, value: string | null) => (value === null ? cond(`${column} IS NULL`) : text(value) ? cond(`${column} = ?`, [value]) : FALSE);
  if (template.name !== undefined) parts.push(equals("c.name", template.name));
  if (template.module !== undefined) parts.push(equals("c.module", template.module));
  if (template.version !== undefined) {
    // JSON text: NUL and lone surrogates in a string version are escapes, storable everywhere.
    const v = template.version;
    parts.push(typeof v === "number" && !Number.isFinite(v) ? FALSE : equals("c.version", v === null ? null : JSON.stringify(v)));
  }
  if (template.codeDigest !== undefined) parts.push(equals("c.code_digest", template.codeDigest));
  if (template.result !== undefined) parts.push(digestCondition("c.result", template.result, dialect));
  for (const [name, wanted] of Object.entries(template.args ?? {})) {
    const value = digestCondition("a.value", wanted, dialect);
    if (!text(name) || value === FALSE) parts.push(FALSE);
    else parts.push(cond(`c.key IN (SELECT a.call_key FROM arguments a WHERE a.name = ? AND ${value.sql})`, [name, ...value.params], value.exact));
  }
  if (template.metadata) parts.push(metadataCondition(template.metadata, dialect));
  return and(parts);
}

/**
 * A stored digest starts with `wanted` (a full digest or a `D("abcd")` prefix). ASCII prefixes are an
 * index range `[wanted, successor)`, exact under the bytewise ordering of digest columns.
 */
export function digestCondition(column: string, wanted: string, dialect: Dialect): Cond {
  const plan = prefixPlan(wanted, dialect.text.column);
  if (plan.kind === "none") return FALSE;
  const p = plan.prefix;
  const test =
    p === "" ? cond(`${column} IS NOT NULL`) : isAscii(p) ? cond(`${column} >= ? AND ${column} < ?`, [p, successor(p)]) : dialect.startsWith(column, p);
  return plan.kind === "exact" ? test : loose(test);
}

