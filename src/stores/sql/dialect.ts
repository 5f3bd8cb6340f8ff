/**
 * The differences between SQLite and PostgreSQL that the store's SQL touches, in one place: placeholders,
 * column types, JSON access for metadata conditions, prefix tests and the columns a record is read from.
 * Everything else (table layout, upserts, query shapes) is shared SQL.
 */
import { cond, loose, TRUE, type Cond } from "./conditions.js";
import { postgresText, sqliteText, type TextRules } from "./text.js";

/** JSON value kinds a condition can test for. */
export type JsonKind = "object" | "array" | "string" | "number" | "null" | "true" | "false";

/** Ordering comparisons. */
export type Comparison = ">" | ">=" | "<" | "<=";

/**
 * Conditions on the value at a path inside `m.data` (a metadata namespace's JSON object, in scope inside
 * {@link Dialect.inNamespace}). A path is the list of object keys from the namespace's root; `[]` is the
 * root itself. Callers only pass keys and
 * strings the database can store (`text.ts`): others cannot be in any stored record.
 */
export interface JsonOps {
  /** Something is stored at the path (any JSON value, `null` included). */
  exists(path: readonly string[]): Cond;
  /** Nothing is stored at the path. */
  absent(path: readonly string[]): Cond;
  /** The value at the path is of this kind. */
  kind(path: readonly string[], kind: JsonKind): Cond;
  /** The value is this string. */
  equalsString(path: readonly string[], value: string): Cond;
  /** The value is this (finite) number. */
  equalsNumber(path: readonly string[], value: number): Cond;
  /** The value is a number ordered so against `value` (finite). */
  compareNumber(path: readonly string[], op: Comparison, value: number): Cond;
  /** The value is a string ordered so against `value` by code point. */
  compareString(path: readonly string[], op: Comparison, value: string): Cond;
  /** The value is a string starting with `prefix` (non-empty, not ending in a high surrogate). */
  startsWith(path: readonly string[], prefix: string): Cond;
}

/** One SQL dialect. */
export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** Column types. `digest` columns compare bytewise, so hex prefixes can be index ranges. */
  readonly types: { readonly digest: string; readonly real: string; readonly json: string; readonly withoutRowid: string };
  /** Which strings the database stores exactly, in text columns and in metadata JSON. */
  readonly text: TextRules;
  /**
   * `column` starts with `prefix` (used for non-ASCII prefixes, which index ranges cannot serve). The
   * prefix is storable and does not end in a high surrogate (see `prefixPlan`).
   */
  startsWith(column: string, prefix: string): Cond;
  /** Metadata conditions on `m.data`. */
  readonly json: JsonOps;
  /**
   * The record (`calls c`) has the namespace `ns` (a name the database stores exactly) and `inner` holds
   * with its data as `m.data`. A namespace is found by its exact name, NUL characters included.
   */
  inNamespace(ns: string, inner: Cond): Cond;
  /** The record (`calls c`) has no namespace `ns`. */
  withoutNamespace(ns: string): Cond;
  /** The SELECT list that assembles full records from `calls c` (see `rows.ts` `StoredRow`). */
  readonly recordColumns: string;
}

const CALL_COLUMNS = "c.key, c.name, c.module, c.version, c.code_digest, c.result, c.inline, c.result_check, c.record_check";

/** Numbers beyond this magnitude are not exact in SQLite's integer/real comparisons with JS doubles. */
const SAFE = 2 ** 53;

const sqliteJson: JsonOps = {
  exists: (path) => cond("json_type(m.data, ?) IS NOT NULL", [sqlitePath(path)]),
  absent: (path) => cond("json_type(m.data, ?) IS NULL", [sqlitePath(path)]),
  kind: (path, kind) =>
    kind === "number"
      ? cond("json_type(m.data, ?) IN ('integer', 'real')", [sqlitePath(path)])
      : cond("json_type(m.data, ?) = ?", [sqlitePath(path), kind === "string" ? "text" : kind]),
  // Text compares bytewise (BINARY): NUL included, and in UTF-8 byte order is code point order.
  // better-sqlite3 binds a lone surrogate as the same three bytes json_extract decodes `\udXXX` to.
  equalsString: (path, value) => typed(path, "= 'text'", "= ?", value),
  equalsNumber: (path, value) =>
    Math.abs(value) > SAFE ? loose(sqliteJson.kind(path, "number")) : typed(path, "IN ('integer', 'real')", "= ?", value),
  compareNumber: (path, op, value) =>
    Math.abs(value) > SAFE ? loose(sqliteJson.kind(path, "number")) : typed(path, "IN ('integer', 'real')", `${op} ?`, value),
  compareString: (path, op, value) => typed(path, "= 'text'", `${op} ?`, value),
  startsWith: (path, prefix) => {
    const p = sqlitePath(path);
    return cond(`json_type(m.data, ?) = 'text' AND ${bytePrefix("json_extract(m.data, ?)")}`, [p, p, utf8Length(prefix), prefix]);
  },
};

/**
 * `text` starts with the bound prefix, compared as bytes: SQLite's `length()` stops at a NUL, so
 * character counts cannot be trusted; the prefix's byte length is computed here (`utf8Length`).
 */
function bytePrefix(text: string): string {
  return `substr(CAST(${text} AS BLOB), 1, ?) = CAST(? AS BLOB)`;
}

/** Bytes of `text` as SQLite receives it (a lone surrogate, like U+FFFD, takes three). */
function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** `json_type(...) <kindTest> AND json_extract(...) <valueTest>` on one path. */
function typed(path: readonly string[], kindTest: string, valueTest: string, value: unknown): Cond {
  const p = sqlitePath(path);
  return cond(`json_type(m.data, ?) ${kindTest} AND json_extract(m.data, ?) ${valueTest}`, [p, p, value]);
}

/**
 * `$."a"."b\"c"`: every key a JSON string literal, so dots, brackets, `$`, digits, quotes, backslashes,
 * NUL and lone surrogates in keys mean themselves (SQLite reads JSON escapes in quoted path labels; the
 * stored text was written by the same `JSON.stringify`).
 */
export function sqlitePath(path: readonly string[]): string {
  let out = "$";
  for (const key of path) out += `.${JSON.stringify(key)}`;
  return out;
}

/**
 * SQLite finds a namespace among the keys of `c.metadata` by `json_each`, comparing names as whole
 * strings: its JSON paths stop comparing keys at a NUL (`$."a"` finds `"a\u0000b"`), and namespaces are
 * text-column names, which may hold one. Its data is read back as JSON text, whatever its kind.
 */
const SQLITE_NAMESPACE = `SELECT CASE WHEN type IN ('object', 'array') THEN value WHEN type IN ('true', 'false', 'null') THEN type ELSE json_quote(value) END AS data
  FROM json_each(c.metadata) WHERE key = ?`;

function sqliteInNamespace(ns: string, inner: Cond): Cond {
  const where = inner === TRUE ? "" : ` WHERE ${inner.sql}`;
  return cond(`EXISTS (SELECT 1 FROM (${SQLITE_NAMESPACE}) m${where})`, [ns, ...inner.params], inner.exact);
}

/** PostgreSQL: the namespace's data is `c.metadata -> ns` (`jsonb` object keys are compared whole). */
function postgresInNamespace(ns: string, inner: Cond): Cond {
  const extra = inner === TRUE ? "" : ` AND (${inner.sql})`;
  return cond(`EXISTS (SELECT 1 FROM (SELECT c.metadata -> ?::text AS data) m WHERE m.data IS NOT NULL${extra})`, [ns, ...inner.params], inner.exact);
}

/** PostgreSQL: the value at a path is `m.data #> path` with the path as a text[] parameter. */
const AT = "(m.data #> ?::text[])";

const postgresJson: JsonOps = {
  exists: (path) => cond(`${AT} IS NOT NULL`, [[...path]]),
  absent: (path) => cond(`${AT} IS NULL`, [[...path]]),
  kind: (path, kind) =>
    kind === "true" || kind === "false"
      ? cond(`${AT} = '${kind}'::jsonb`, [[...path]])
      : cond(`jsonb_typeof${AT} = ?`, [[...path], kind]),
  equalsString: (path, value) => cond(`${AT} = to_jsonb(?::text)`, [[...path], value]),
  equalsNumber: (path, value) => pgNumber(path, "=", value),
  compareNumber: (path, op, value) => pgNumber(path, op, value),
  compareString: (path, op, value) =>
    cond(`(CASE WHEN jsonb_typeof${AT} = 'string' THEN ${AT} #>> '{}' END) COLLATE "C" ${op} ?::text`, [[...path], [...path], value]),
  startsWith: (path, prefix) =>
    cond(`starts_with(CASE WHEN jsonb_typeof${AT} = 'string' THEN ${AT} #>> '{}' END, ?::text)`, [[...path], [...path], prefix]),
};

/** Numbers compare as float8, the way JavaScript reads them (never a cast error on other kinds). */
function pgNumber(path: readonly string[], op: string, value: number): Cond {
  return cond(`(CASE WHEN jsonb_typeof${AT} = 'number' THEN ${AT}::float8 END) ${op} ?::float8`, [[...path], [...path], value]);
}

export const sqlite: Dialect = {
  name: "sqlite",
  types: { digest: "TEXT", real: "REAL", json: "TEXT", withoutRowid: " WITHOUT ROWID" },
  text: sqliteText,
  startsWith: (column, prefix) => cond(bytePrefix(column), [utf8Length(prefix), prefix]),
  json: sqliteJson,
  inNamespace: sqliteInNamespace,
  withoutNamespace: (ns) => cond(`NOT ${sqliteInNamespace(ns, TRUE).sql}`, [ns]),
  // The JSON texts are read as written (never re-rendered by SQLite's JSON functions), so they parse
  // back exactly as they were saved.
  recordColumns: `${CALL_COLUMNS}, c.arguments AS args, c.metadata AS meta`,
};

export const postgres: Dialect = {
  name: "postgres",
  types: { digest: 'TEXT COLLATE "C"', real: "DOUBLE PRECISION", json: "JSONB", withoutRowid: "" },
  text: postgresText,
  startsWith: (column, prefix) => cond(`starts_with(${column}, ?::text)`, [prefix]),
  json: postgresJson,
  inNamespace: postgresInNamespace,
  withoutNamespace: (ns) => cond("c.metadata -> ?::text IS NULL", [ns]),
  recordColumns: `${CALL_COLUMNS}, c.arguments AS args, c.metadata AS meta`,
};

/** Number `?` placeholders as `$1, $2, …` for PostgreSQL (the store's SQL has no `?` in literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
