/**
 * Which strings each database can hold exactly, and what that means for saves and filters.
 *
 * - Text columns (names, modules, digests, argument names, namespaces) go through the drivers as UTF-8:
 *   a lone UTF-16 surrogate cannot survive the trip (better-sqlite3 and pg read or write it back as
 *   U+FFFD), so no database stores one there. SQLite keeps NUL characters; PostgreSQL cannot hold NUL
 *   in `text` at all.
 * - Metadata is JSON. SQLite keeps it as the JSON text `JSON.stringify` wrote, where NUL and lone
 *   surrogates are `\u` escapes, so its strings hold every JavaScript string; but SQLite's JSON paths
 *   compare object keys only up to a NUL (`$."a"` finds a key `"a\u0000b"`), so a key with a NUL could
 *   not be found exactly, nor could its siblings. PostgreSQL's `jsonb` refuses NUL and lone surrogates.
 *
 * A record holding a string its database cannot keep is refused at save with a `SaveError` naming the
 * field, so every stored record is exactly the record saved and can be found exactly. A filter comparing
 * with such a string can therefore match nothing stored, which is how push-down treats it (exactly what
 * `matchesRecord` says of the records that can be stored).
 */
import { SaveError } from "../../errors.js";
import type { CallRecord, JsonValue } from "../../call-record.js";

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` is well-formed UTF-16 (no lone surrogate), so UTF-8 carries it exactly. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** What one database can store exactly. */
export interface TextRules {
  /** The string can be stored in (and compared against) a text column. */
  column(text: string): boolean;
  /** The string can be stored as a metadata JSON string. */
  json(text: string): boolean;
  /** The string can be stored, and found, as a metadata object key. */
  key(text: string): boolean;
  /** What cannot be stored, for error messages. */
  readonly refused: string;
}

export const sqliteText: TextRules = {
  column: isWellFormed,
  json: () => true,
  key: (text) => !text.includes("\u0000"),
  refused: "a lone UTF-16 surrogate in a text column or a NUL character (\\u0000) in a metadata key, which SQLite cannot keep exactly",
};

const pgStorable = (text: string): boolean => !text.includes("\u0000") && isWellFormed(text);

export const postgresText: TextRules = {
  column: pgStorable,
  json: pgStorable,
  key: pgStorable,
  refused: "a NUL character (\\u0000) or a lone UTF-16 surrogate, which PostgreSQL cannot store in text or jsonb",
};

/** Throw a `SaveError` naming the call and the field when `record` holds a string the database would not keep exactly. */
export function assertStorable(record: CallRecord, rules: TextRules, label: string): void {
  const field = unstorableField(record, rules);
  if (field !== undefined) throw new SaveError(`${label}: call ${record.key} cannot be stored: ${field} holds ${rules.refused}`);
}

/**
 * Why `record` cannot be stored exactly under `rules`, naming the field (`metadata.tags["a\u0000"]`),
 * or undefined when it can. Keys are written with JSON escapes so that the message shows them.
 */
export function unstorableField(record: CallRecord, rules: TextRules): string | undefined {
  const columns: [string, string | null][] = [
    ["key", record.key],
    ["name", record.name],
    ["module", record.module],
    ["codeDigest", record.codeDigest],
    ["result", record.result],
  ];
  for (const [field, value] of columns) if (value !== null && !rules.column(value)) return field;
  for (const [name, value] of Object.entries(record.arguments)) {
    if (!rules.column(name)) return `arguments[${JSON.stringify(name)}] (its name)`;
    if (!rules.column(value)) return `arguments[${JSON.stringify(name)}]`;
  }
  for (const [namespace, data] of Object.entries(record.metadata)) {
    const at = `metadata[${JSON.stringify(namespace)}]`;
    if (!rules.column(namespace)) return `${at} (its name)`;
    const inner = unstorableJson(data, rules, at);
    if (inner) return inner;
  }
  return undefined;
}

function unstorableJson(value: JsonValue | undefined, rules: TextRules, at: string): string | undefined {
  if (typeof value === "string") return rules.json(value) ? undefined : at;
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = unstorableJson(value[i], rules, `${at}[${i}]`);
      if (inner) return inner;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const here = `${at}[${JSON.stringify(key)}]`;
    if (!rules.key(key)) return `${here} (its key)`;
    const inner = unstorableJson(item, rules, here);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * How a "starts with `prefix`" test can be stated on strings a database holds (`storable` says which):
 * - `exact`: test this prefix, exactly;
 * - `wider`: test this shorter prefix, a superset: `prefix` ends in a high surrogate, which JavaScript's
 *   `startsWith` matches against the first half of an astral character, and UTF-8 cannot split one;
 * - `none`: no stored string starts with it.
 */
export type PrefixPlan = { readonly kind: "exact" | "wider"; readonly prefix: string } | { readonly kind: "none" };

export function prefixPlan(prefix: string, storable: (text: string) => boolean): PrefixPlan {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    const shorter = prefixPlan(prefix.slice(0, -1), storable);
    return shorter.kind === "none" ? shorter : { kind: "wider", prefix: shorter.prefix };
  }
  return storable(prefix) ? { kind: "exact", prefix } : { kind: "none" };
}
