/**
 * Random records and templates made of the characters that break naive SQL: backslashes, quotes, NUL,
 * `$`, dots, brackets, non-ASCII, astral characters and their halves (lone surrogates), empty strings.
 * They appear everywhere a string can: function names, modules, versions, argument names and digests,
 * namespaces, metadata keys (nested) and values, and every operand. Seeded, so a failure names its seed.
 */
import { digest } from "../../../src/index.js";
import { normalizeMetadataFilter } from "../../../src/query/metadata-filter.js";
import { prng } from "../../../src/testing/random-templates.js";
import type { CallRecord, JsonValue } from "../../../src/call-record.js";
import type { RecordTemplate } from "../../../src/query/template.js";
import type { TextRules } from "../../../src/stores/sql/text.js";

export { prng };

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const chance = (r: Rand, p: number) => r() < p;

/** The odd strings; a few plain ones so that ordering and prefixes have neighbours. */
export const ODD = [
  "", "a", "ab", "b", "\\", "a\\b", "\\\\", '"', 'q"uote', '\\"', "'", "a'b", "\u0000", "a\u0000", "a\u0000b", "\u0000\u0000",
  "$", "$x", "$eq", ".", "a.b", "..", "[0]", "[", "]", "0", "*", "%", "_", "ü", "Ünï", "😀", "a😀b", "\ud83d", "\ude00",
  "x\ud800y", "\ud800", "\u2028", "\uffff", "\u007f", "\u0001", " ", "tab\t", "nl\n", "$.a", '$."a"',
] as const;

const NUMBERS = [0, 1, -1, 2.5, 1e-7, 2 ** 60];

/** The strings records draw from: those a database keeps (`pools.json`, `pools.column`), or every odd one. */
interface Pools {
  readonly json: readonly string[];
  readonly key: readonly string[];
  readonly column: readonly string[];
  /** Whether a text column keeps this string. */
  readonly columnKeeps: (text: string) => boolean;
}
const ALL: Pools = { json: ODD, key: ODD, column: ODD, columnKeeps: () => true };

function oddScalar(r: Rand, pools: Pools = ALL): JsonValue {
  const k = r();
  if (k < 0.75) return pick(r, pools.json);
  if (k < 0.9) return pick(r, NUMBERS);
  return k < 0.95 ? chance(r, 0.5) : null;
}

function oddValue(r: Rand, pools: Pools, depth = 0): JsonValue {
  if (depth < 2 && chance(r, 0.2)) {
    const out: Record<string, JsonValue> = {};
    for (let i = Math.floor(r() * 3); i > 0; i--) out[pick(r, pools.key)] = oddValue(r, pools, depth + 1);
    return out;
  }
  if (depth < 2 && chance(r, 0.05)) return [oddScalar(r, pools)];
  return oddScalar(r, pools);
}

/** Namespaces: ordinary, `$`-named, with NUL, with a lone surrogate (no text column keeps that). */
export const NAMESPACES = ["tags", "$ns", "$", "a\u0000b", "dot.ted", "ns\ud800", "ü"] as const;

/**
 * `n` records made of odd strings. With `rules`, a record uses only strings that database keeps, except
 * with probability `unstorable`, when it draws from every odd string (and is then often one to refuse).
 */
export function oddRecords(seed: number, n: number, rules?: TextRules, unstorable = 0): CallRecord[] {
  const r = prng(seed);
  const kept: Pools = rules
    ? { json: ODD.filter((s) => rules.json(s)), key: ODD.filter((s) => rules.key(s)), column: ODD.filter((s) => rules.column(s)), columnKeeps: (s) => rules.column(s) }
    : ALL;
  return Array.from({ length: n }, (_, i): CallRecord => {
    const pools = chance(r, unstorable) ? ALL : kept;
    const str = <T extends string | null>(items: readonly T[]): T => pick(r, items.filter((s) => s === null || pools.columnKeeps(s)));
    const args: Record<string, string> = {};
    for (const name of ["x", "a\u0000", "$y", 'q"', "😀", "\ud83d"]) {
      if (pools.columnKeeps(name) && chance(r, 0.5)) args[name] = chance(r, 0.8) ? digest(Math.floor(r() * 4)) : pick(r, pools.column);
    }
    const metadata: Record<string, Record<string, JsonValue>> = {};
    metadata.runtime = { timestop: 1_700_000_000 + i };
    for (const ns of NAMESPACES) {
      if (!pools.columnKeeps(ns) || !chance(r, ns === "tags" ? 0.9 : 0.3)) continue;
      const fields: Record<string, JsonValue> = {};
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) fields[pick(r, pools.key)] = oddValue(r, pools);
      metadata[ns] = fields;
    }
    return {
      key: digest(["odd-record", seed, i]),
      name: str(["f", "a\u0000", 'q"uote', "\\", "$", "😀", "", "\udfff"]),
      module: str([null, "a", "a\u0000b", "ü", "\ud800"]),
      version: pick(r, [null, 1, "1", "a\u0000", "\ud83d", '"']),
      codeDigest: str([null, "\\", digest("c")]),
      arguments: args,
      result: chance(r, 0.1) ? null : chance(r, 0.8) ? digest(Math.floor(r() * 4)) : pick(r, pools.column),
      metadata,
    };
  });
}

/** Strings a filter compares with: odd ones, stored ones, and stored ones cut anywhere (also inside a surrogate pair). */
function operandFrom(r: Rand, have: JsonValue | undefined): string {
  if (typeof have === "string" && chance(r, 0.6)) return chance(r, 0.5) ? have : have.slice(0, Math.floor(r() * (have.length + 1)));
  return pick(r, ODD);
}

function oddCondition(r: Rand, have: JsonValue | undefined): unknown {
  const s = operandFrom(r, have);
  switch (pick(r, ["plain", "null", "$eq", "$ne", "$in", "$exists", "$prefix", "$prefix", "$gt", "$gte", "$lt", "$lte", "range", "nested"])) {
    case "plain": // a stored object as a condition: unless it has `$` keys, which would make it an operator object
      return have !== undefined && !(have && typeof have === "object" && !Array.isArray(have)) && chance(r, 0.5) ? have : s;
    case "null":
      return null;
    case "$eq":
      return { $eq: have !== undefined && chance(r, 0.3) ? have : s };
    case "$ne":
      return { $ne: s };
    case "$in":
      return { $in: [s, pick(r, ODD), oddScalar(r)] };
    case "$exists":
      return { $exists: chance(r, 0.5) };
    case "$prefix":
      return { $prefix: s };
    case "range":
      return { $gte: s, $lt: `${pick(r, ODD)}${pick(r, ODD)}` };
    case "nested":
      return have && typeof have === "object" && !Array.isArray(have) ? oddFields(r, have) : { [pick(r, ODD).replace(/^\$/, "k")]: s };
    default:
      return { [pick(r, ["$gt", "$gte", "$lt", "$lte"])]: s };
  }
}

function oddFields(r: Rand, stored: { readonly [key: string]: JsonValue } | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = stored && chance(r, 0.8) ? Object.keys(stored) : [...ODD];
  for (let i = 1 + Math.floor(r() * 2); i > 0; i--) {
    const key = pick(r, keys.length ? keys : ODD);
    if (key.startsWith("$")) continue; // an object with a `$` key is an operator object: `$` field names cannot be filtered on
    out[key] = oddCondition(r, stored?.[key]);
  }
  return out;
}

/** A random template over `records` with odd strings in every position a template has one. */
export function oddTemplate(r: Rand, records: readonly CallRecord[]): RecordTemplate {
  const base = pick(r, records);
  const t: Record<string, unknown> = {};
  if (chance(r, 0.25)) t.name = chance(r, 0.7) ? base.name : pick(r, ODD);
  if (chance(r, 0.15)) t.module = chance(r, 0.7) ? base.module : pick(r, ODD);
  if (chance(r, 0.15)) t.version = chance(r, 0.7) ? base.version : pick(r, ODD);
  if (chance(r, 0.1)) t.codeDigest = chance(r, 0.7) ? base.codeDigest : pick(r, ODD);
  if (chance(r, 0.15)) t.result = base.result !== null && chance(r, 0.7) ? base.result.slice(0, Math.floor(r() * (base.result.length + 1))) : pick(r, ODD);
  if (chance(r, 0.3)) {
    const args: Record<string, string> = {};
    for (const [name, value] of Object.entries(base.arguments)) if (chance(r, 0.5)) args[name] = value.slice(0, Math.floor(r() * (value.length + 1)));
    if (chance(r, 0.3)) args[pick(r, ODD)] = pick(r, ODD);
    if (Object.keys(args).length) t.args = args;
  }
  if (chance(r, 0.8)) {
    const metadata: Record<string, unknown> = {};
    for (let i = 1 + Math.floor(r() * 2); i > 0; i--) {
      const ns = chance(r, 0.85) ? pick(r, NAMESPACES) : pick(r, ["absent", "$eq", ""]);
      const stored = base.metadata[ns];
      const k = r();
      metadata[ns] = k < 0.1 ? {} : k < 0.2 ? { $exists: chance(r, 0.5) } : oddFields(r, stored);
    }
    t.metadata = normalizeMetadataFilter(metadata);
  }
  return t as RecordTemplate;
}
