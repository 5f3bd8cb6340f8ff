/**
 * Random call records and random query templates for property tests: push-down queries must accept
 * exactly what `matchesRecord` accepts, whatever the filter. Seeded, so a failure names a reproducible seed.
 */
import { digest } from "../digest/index.js";
import { normalizeMetadataFilter } from "../query/metadata-filter.js";
import type { CallRecord, JsonValue } from "../call-record.js";
import type { RecordTemplate } from "../query/template.js";

/** A small, fast, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const chance = (r: Rand, p: number) => r() < p;

const VALUE_POOL = [0, 1, 2, 3, "a", "b", "ü", [1, 2], { k: 1 }].map((v) => digest(v));
const STRINGS = ["alpha", "beta", "alphabet", "", "ü", "Ünïcode", "😀 smile", "\uffff", "a\u0001b", "z", "10", "9", "2024-01-01T00:00:00Z", "2025-06-30"];
const NUMBERS = [0, 1, -1, 2, 3, 1.5, -2.25, 10, 1e-7, 123456.789, 1e20, 2 ** 60, -(2 ** 55), 9007199254740991, 1700000000.5];
const ODD_KEYS = ["a.b", "[0]", "ü key", 'q"uote', "", "0", "$x"];
const FIELD_KEYS = ["project", "run", "score", "flag", "nested", "list", "empty", "maybe", ...ODD_KEYS];

function scalar(r: Rand): JsonValue {
  const k = r();
  if (k < 0.4) return pick(r, STRINGS);
  if (k < 0.8) return pick(r, NUMBERS);
  if (k < 0.9) return chance(r, 0.5);
  return null;
}

function jsonValue(r: Rand, depth = 0): JsonValue {
  const k = r();
  if (depth < 2 && k < 0.15) return Array.from({ length: Math.floor(r() * 3) }, () => jsonValue(r, depth + 1));
  if (depth < 2 && k < 0.3) {
    const out: Record<string, JsonValue> = {};
    for (let i = Math.floor(r() * 3); i > 0; i--) out[pick(r, FIELD_KEYS)] = jsonValue(r, depth + 1);
    return out;
  }
  return scalar(r);
}

/** `n` random records with overlapping names, arguments and metadata, so random filters hit some. */
export function randomRecords(seed: number, n: number): CallRecord[] {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i): CallRecord => {
    const args: Record<string, string> = {};
    for (const name of ["x", "y", "0", "weird name"]) if (chance(r, 0.7)) args[name] = pick(r, VALUE_POOL);
    const metadata: Record<string, Record<string, JsonValue>> = {};
    if (chance(r, 0.85)) {
      const stop = 1_700_000_000 + Math.floor(r() * 1000) + r();
      metadata.runtime = { timestart: stop - r(), timestop: stop, walltime: r() };
    }
    if (chance(r, 0.8)) {
      const tags: Record<string, JsonValue> = {};
      for (const key of FIELD_KEYS) if (chance(r, 0.4)) tags[key] = jsonValue(r);
      metadata.tags = tags;
    }
    if (chance(r, 0.4)) metadata.git = { commit: digest(Math.floor(r() * 3)).slice(0, 40), dirty: chance(r, 0.5), branch: pick(r, ["main", "HEAD", null]) };
    return {
      key: digest(["random-record", seed, i]),
      name: pick(r, ["f", "g", "h"]),
      module: pick(r, [null, "pkg:a", "pkg:b"]),
      version: pick(r, [null, 1, "1", 2, 1.5, "v2"]),
      codeDigest: pick(r, [null, digest("c1"), digest("c2")]),
      arguments: args,
      result: chance(r, 0.1) ? null : pick(r, VALUE_POOL),
      metadata,
    };
  });
}

/** A condition on a field, often built from a value some record holds. */
function condition(r: Rand, have: JsonValue | undefined): unknown {
  const seen = have === undefined ? scalar(r) : have;
  const k = r();
  if (k < 0.25) return seen;
  if (k < 0.3) return null;
  if (k < 0.35 && typeof seen === "number") return new Date(seen * 1000);
  const operand = typeof seen === "number" || typeof seen === "string" ? seen : pick(r, [...NUMBERS, ...STRINGS]);
  switch (pick(r, ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$exists", "$prefix", "range", "mixed"])) {
    case "$eq":
      return { $eq: chance(r, 0.8) ? seen : scalar(r) };
    case "$ne":
      return { $ne: seen };
    case "$in":
      return { $in: [seen, scalar(r), ...(chance(r, 0.3) ? [] : [scalar(r)])] };
    case "$exists":
      return { $exists: chance(r, 0.5) };
    case "$prefix":
      return { $prefix: typeof seen === "string" ? seen.slice(0, Math.floor(r() * (seen.length + 1))) : pick(r, STRINGS) };
    case "range":
      return typeof operand === "number"
        ? { $gte: operand - r() * 10, $lt: operand + r() * 10 }
        : { $gte: operand, $lte: `${operand}\uffff` };
    case "mixed":
      return { $exists: true, $ne: scalar(r) };
    default:
      return { [pick(r, ["$gt", "$gte", "$lt", "$lte"])]: chance(r, 0.2) ? pick(r, [Infinity, -Infinity]) : operand };
  }
}

function fieldsFilter(r: Rand, stored: Record<string, JsonValue> | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = stored && chance(r, 0.8) ? Object.keys(stored) : FIELD_KEYS;
  for (let i = 1 + Math.floor(r() * 2); i > 0; i--) {
    const key = pick(r, keys.length ? keys : FIELD_KEYS);
    if (key.startsWith("$")) continue; // stored `$x` keys cannot be filtered on by name
    const have = stored?.[key];
    if (depth < 2 && have && typeof have === "object" && !Array.isArray(have) && chance(r, 0.5)) {
      out[key] = fieldsFilter(r, have, depth + 1);
    } else {
      out[key] = condition(r, have);
    }
  }
  return out;
}

/** A random template; `records` supply realistic values so that many templates match something. */
export function randomTemplate(r: Rand, records: readonly CallRecord[]): RecordTemplate {
  const base = pick(r, records);
  const t: Record<string, unknown> = {};
  if (chance(r, 0.3)) t.name = chance(r, 0.9) ? base.name : "nope";
  if (chance(r, 0.15)) t.module = base.module;
  if (chance(r, 0.2)) t.version = pick(r, [base.version, 1, "1", null, 1.5]);
  if (chance(r, 0.1)) t.codeDigest = base.codeDigest;
  if (chance(r, 0.15)) t.result = base.result === null ? pick(r, VALUE_POOL) : base.result.slice(0, pick(r, [64, 4, 9, 1]));
  if (chance(r, 0.4)) {
    const args: Record<string, string> = {};
    const names = Object.keys(base.arguments);
    for (const name of names) if (chance(r, 0.5)) args[name] = base.arguments[name]!.slice(0, pick(r, [64, 64, 5, 12]));
    if (chance(r, 0.1)) args.missing = pick(r, VALUE_POOL);
    if (Object.keys(args).length) t.args = args;
  }
  if (chance(r, 0.7)) {
    const metadata: Record<string, unknown> = {};
    const namespaces = ["runtime", "tags", "git", "absent"];
    for (let i = 1 + Math.floor(r() * 2); i > 0; i--) {
      const ns = pick(r, namespaces);
      const stored = base.metadata[ns] as Record<string, JsonValue> | undefined;
      const k = r();
      metadata[ns] = k < 0.1 ? {} : k < 0.18 ? { $exists: chance(r, 0.5) } : fieldsFilter(r, stored);
    }
    t.metadata = chance(r, 0.5) ? normalizeMetadataFilter(metadata) : metadata;
  }
  return t as RecordTemplate;
}
