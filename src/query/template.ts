/**
 * Query templates. Users filter with live values (`{ args: { x: 1 } }`); stores receive the digested
 * form ({@link RecordTemplate}), so an argument filter matches by content and a SQL store can push it
 * down as digest equality. `undefined` (or leaving a field out) is a wildcard everywhere.
 */
import { digest, isDigest } from "../digest/index.js";
import { FlecheError } from "../errors.js";
import { keysOf, unknownKey, unknownKeyMessage } from "../known-keys.js";
import { namespacesMatch, normalizeMetadataFilter, type MetadataFilter } from "./metadata-filter.js";
import type { CallRecord, Version } from "../call-record.js";

export type { MetadataFilter } from "./metadata-filter.js";

/** What users pass to `cache.query(...)` and `f.query(...)`. */
export interface QueryFilter {
  /** Function name. */
  readonly name?: string;
  readonly module?: string | null;
  readonly version?: Version;
  readonly codeDigest?: string | null;
  /** Argument values by parameter name, matched by content; `D(hex)` matches by digest. */
  readonly args?: { readonly [name: string]: unknown };
  /** The result value, matched by content (or `D(hex)` by digest). */
  readonly result?: unknown;
  /** Conditions on metadata by namespace, with operators for ranges (see `metadata-filter.ts`). */
  readonly metadata?: MetadataFilter;
}

/** Every key a {@link QueryFilter} accepts; anything else is an error (a typo must not match every call). */
export const QUERY_FILTER_KEYS = keysOf<QueryFilter>()(["name", "module", "version", "codeDigest", "args", "result", "metadata"]);

/**
 * Throw a `FlecheError` (code `FLECHE_QUERY`) naming the first key of `filter` not in `accepted`, with a
 * suggestion. `what` names the receiver (`cache.query()`, `f.query()`). Filters are checked when a
 * query is made, before anything runs, so a rejected filter never evicts or moves a single call.
 */
export function rejectUnknownFilterKeys(what: string, filter: object, accepted: readonly string[]): void {
  const key = unknownKey(filter, accepted);
  if (key !== undefined) throw new FlecheError(unknownKeyMessage(what, "filter key", key, accepted, FILTER_ALIASES), "FLECHE_QUERY");
}

/** Names users reach for that are too far from the real key for the spelling help to find it. */
const FILTER_ALIASES: Readonly<Record<string, string>> = { arguments: "args", argument: "args", meta: "metadata", function: "name", code_digest: "codeDigest" };

/** The digested template handed to call stores. */
export interface RecordTemplate {
  readonly name?: string;
  readonly module?: string | null;
  readonly version?: Version;
  readonly codeDigest?: string | null;
  /** Parameter name → digest that must be stored for it. */
  readonly args?: { readonly [name: string]: string };
  /** Digest of the result. */
  readonly result?: string;
  readonly metadata?: MetadataFilter;
}

/**
 * Digest a user filter. Throws `Indigestible` when an argument or result filter cannot be digested, and a
 * `FlecheError` (code `FLECHE_QUERY`) for an unknown filter key or a malformed metadata filter.
 */
export function toTemplate(filter: QueryFilter = {}): RecordTemplate {
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw new FlecheError(`Query filter: expected an object of ${QUERY_FILTER_KEYS.join(", ")}, got ${Array.isArray(filter) ? "an array" : String(filter)}`, "FLECHE_QUERY");
  }
  rejectUnknownFilterKeys("Query filter", filter, QUERY_FILTER_KEYS);
  const template: { -readonly [K in keyof RecordTemplate]: RecordTemplate[K] } = {};
  if (filter.name !== undefined) template.name = filter.name;
  if (filter.module !== undefined) template.module = filter.module;
  if (filter.version !== undefined) template.version = filter.version;
  if (filter.codeDigest !== undefined) template.codeDigest = filter.codeDigest;
  if (filter.result !== undefined) template.result = digestOf(filter.result);
  if (filter.args !== undefined && (typeof filter.args !== "object" || filter.args === null || Array.isArray(filter.args))) {
    throw new FlecheError("Query filter: `args` must be an object of argument values by parameter name", "FLECHE_QUERY");
  }
  if (filter.args) {
    const args: Record<string, string> = {};
    for (const [name, value] of Object.entries(filter.args)) if (value !== undefined) args[name] = digestOf(value);
    if (Object.keys(args).length) template.args = args;
  }
  if (filter.metadata !== undefined) {
    const metadata = normalizeMetadataFilter(filter.metadata);
    if (Object.keys(metadata).length) template.metadata = metadata;
  }
  return template;
}

function digestOf(value: unknown): string {
  return isDigest(value) ? value.hex : digest(value);
}

/** True when `record` satisfies every field of `template`. The reference semantics for push-downs. */
export function matchesRecord(template: RecordTemplate, record: CallRecord): boolean {
  if (template.name !== undefined && template.name !== record.name) return false;
  if (template.module !== undefined && template.module !== record.module) return false;
  if (template.version !== undefined && template.version !== record.version) return false;
  if (template.codeDigest !== undefined && template.codeDigest !== record.codeDigest) return false;
  if (template.result !== undefined && !digestMatches(template.result, record.result)) return false;
  if (template.args) {
    for (const [name, wanted] of Object.entries(template.args)) {
      if (!digestMatches(wanted, record.arguments[name] ?? null)) return false;
    }
  }
  return template.metadata === undefined || namespacesMatch(template.metadata, record.metadata);
}

/**
 * A template digest may be a prefix (from `D("abcd")`): it matches every stored digest starting with it.
 * Exported for stores that push queries down, so they share the rule.
 */
export function digestMatches(wanted: string, stored: string | null): boolean {
  return stored !== null && (wanted.length === stored.length ? wanted === stored : stored.startsWith(wanted));
}
