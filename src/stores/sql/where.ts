/**
 * Query templates → SQL over `calls c`. Function identity compares columns; each argument filter is an
 * indexed lookup in `arguments` by (name, value); result and argument digests may be prefixes (index
 * ranges); metadata filters become JSON conditions on the namespace's row (see `metadata-where.ts`).
 */
import { and, cond, FALSE, isAscii, successor, type Cond } from "./conditions.js";
import { metadataCondition } from "./metadata-where.js";
import type { Dialect } from "./dialect.js";
import type { RecordTemplate } from "../../query/template.js";

/** The WHERE condition selecting the `calls c` rows a template accepts (exact, or a marked superset). */
export function templateCondition(template: RecordTemplate, dialect: Dialect): Cond {
  const parts: Cond[] = [];
  if (template.name !== undefined) parts.push(cond("c.name = ?", [template.name]));
  if (template.module !== undefined) parts.push(nullable("c.module", template.module));
  if (template.version !== undefined) {
    const v = template.version;
    parts.push(typeof v === "number" && !Number.isFinite(v) ? FALSE : nullable("c.version", v === null ? null : JSON.stringify(v)));
  }
  if (template.codeDigest !== undefined) parts.push(nullable("c.code_digest", template.codeDigest));
  if (template.result !== undefined) parts.push(digestCondition("c.result", template.result, dialect));
  for (const [name, wanted] of Object.entries(template.args ?? {})) {
    const value = digestCondition("a.value", wanted, dialect);
    parts.push(cond(`c.key IN (SELECT a.call_key FROM arguments a WHERE a.name = ? AND ${value.sql})`, [name, ...value.params]));
  }
  if (template.metadata) parts.push(metadataCondition(template.metadata, dialect));
  return and(parts);
}

function nullable(column: string, value: string | null): Cond {
  return value === null ? cond(`${column} IS NULL`) : cond(`${column} = ?`, [value]);
}

/**
 * A stored digest starts with `wanted` (a full digest or a `D("abcd")` prefix). ASCII prefixes are an
 * index range `[wanted, successor)`, exact under the bytewise ordering of digest columns.
 */
export function digestCondition(column: string, wanted: string, dialect: Dialect): Cond {
  if (wanted === "") return cond(`${column} IS NOT NULL`);
  if (isAscii(wanted)) return cond(`${column} >= ? AND ${column} < ?`, [wanted, successor(wanted)]);
  return dialect.startsWith(column, wanted);
}

