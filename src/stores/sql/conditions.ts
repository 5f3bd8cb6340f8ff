/**
 * SQL conditions as data: text with `?` placeholders, their parameters, and whether the condition is
 * exact or only a superset of what the reference matcher accepts. Loose conditions narrow the rows read;
 * the store then applies `matchesRecord` to what it loaded, so results are always exact.
 */

/** A SQL boolean expression. */
export interface Cond {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** True when the rows it selects are exactly the matching ones; false when it may select more. */
  readonly exact: boolean;
}

export const TRUE: Cond = { sql: "1 = 1", params: [], exact: true };
export const FALSE: Cond = { sql: "1 = 0", params: [], exact: true };

/** A condition from text and parameters. */
export function cond(sql: string, params: readonly unknown[] = [], exact = true): Cond {
  return { sql, params, exact };
}

/** The same condition, marked as a superset. */
export function loose(c: Cond): Cond {
  return { ...c, exact: false };
}

/** Conjunction; `TRUE` parts are dropped. */
export function and(parts: readonly Cond[]): Cond {
  const kept = parts.filter((p) => p !== TRUE);
  if (kept.length === 0) return TRUE;
  if (kept.some((p) => p === FALSE)) return FALSE;
  if (kept.length === 1) return kept[0]!;
  return { sql: kept.map((p) => `(${p.sql})`).join(" AND "), params: kept.flatMap((p) => p.params), exact: kept.every((p) => p.exact) };
}

/** Disjunction; an empty one is `FALSE`. */
export function or(parts: readonly Cond[]): Cond {
  const kept = parts.filter((p) => p !== FALSE);
  if (kept.length === 0) return FALSE;
  if (kept.some((p) => p === TRUE && p.exact)) return TRUE;
  if (kept.length === 1) return kept[0]!;
  return { sql: kept.map((p) => `(${p.sql})`).join(" OR "), params: kept.flatMap((p) => p.params), exact: kept.every((p) => p.exact) };
}

/**
 * Negation. Only an exact condition can be negated exactly; the negation of a superset would drop
 * matching rows, so it becomes `fallback` (a superset of the negation) instead.
 */
export function not(c: Cond, fallback: Cond): Cond {
  if (!c.exact) return loose(fallback);
  if (c === TRUE) return FALSE;
  if (c === FALSE) return TRUE;
  return { sql: `NOT COALESCE((${c.sql}), FALSE)`, params: c.params, exact: true };
}

/** The smallest string greater than every string starting with `prefix` (ASCII prefixes only). */
export function successor(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** True for strings of ASCII characters only (their binary order is the same in UTF-8 and UTF-16). */
export function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}
