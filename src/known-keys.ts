/**
 * Unknown keys are errors, never silently ignored: an option object or a query filter with a key fleche
 * does not know (a typo, a camelCase/snake_case mix-up, an option of another store) would otherwise fall
 * back to a default without a word, and a query filter that ignores `{ arg: ... }` matches every call, so
 * `evict` or `transfer --pop` would act on the whole cache. TypeScript catches typos in object literals,
 * but not in JavaScript or in objects built at run time, hence these checks. The spelling help ("did you
 * mean `values`?") is shared with the config errors.
 */
import { ConfigError } from "./errors.js";

/**
 * The run-time list of the keys of `T`, checked by the compiler both ways: naming a key `T` does not
 * have, or leaving out one it has, is a type error. Keep each list next to its interface so they cannot
 * drift. Usage: `const KEYS = keysOf<Options>()(["a", "b"])`.
 */
export function keysOf<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & Covers<T, K>): readonly (keyof T & string)[] => keys;
}

/** `unknown` when `K` lists every key of `T`; otherwise a type naming the missing ones, so the call fails. */
type Covers<T, K extends readonly unknown[]> = [Exclude<keyof T & string, K[number]>] extends [never]
  ? unknown
  : { readonly missingKeys: Exclude<keyof T & string, K[number]> };

/** The first own enumerable key of `object` that is not in `accepted`. */
export function unknownKey(object: object, accepted: readonly string[]): string | undefined {
  for (const key of Object.keys(object)) if (!accepted.includes(key)) return key;
  return undefined;
}

/**
 * "unknown option `x` (did you mean `y`?) (expected one of: a, b)": the shared wording. `aliases` maps
 * names users reach for that are too far from the real key for the spelling help (`arguments` → `args`).
 */
export function unknownKeyMessage(
  what: string,
  kind: string,
  key: string,
  accepted: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string {
  const alias = Object.hasOwn(aliases, key) ? aliases[key] : undefined;
  const hint = alias !== undefined && accepted.includes(alias) ? ` (did you mean \`${alias}\`?)` : didYouMean(key, accepted);
  const expected = accepted.length ? `expected one of: ${accepted.join(", ")}` : "it takes none";
  return `${what}: unknown ${kind} \`${key}\`${hint} (${expected})`;
}

/**
 * Throw a `ConfigError` naming the first key of `options` that is not `accepted`, with a suggestion when
 * one is close. `what` names the receiver (`fleche()`, `FileStore`, `new Cache()`). `undefined` and
 * `null` (no options) pass. Meant for constructors and other once-per-setup places, never per call.
 */
export function rejectUnknownKeys(what: string, options: object | null | undefined, accepted: readonly string[]): void {
  if (options === undefined || options === null) return;
  const key = unknownKey(options, accepted);
  if (key !== undefined) throw new ConfigError(unknownKeyMessage(what, "option", key, accepted));
}

/**
 * The known word closest to `word`, when it is a plausible typo of it (edit distance ≤ 2), or a longer or
 * shorter form of it (`compression` for `compress`, `sec` for `secret_key`: one is a prefix of the other,
 * of at least four letters).
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = word.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const prefix = Math.min(lower.length, other.length) >= 4 && (lower.startsWith(other) || other.startsWith(lower));
    const d = prefix ? Math.min(2, distance(lower, other)) : distance(lower, other);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean `x`?)` or nothing. */
export function didYouMean(word: string, known: readonly string[]): string {
  const guess = closest(word, known);
  return guess ? ` (did you mean \`${guess}\`?)` : "";
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
