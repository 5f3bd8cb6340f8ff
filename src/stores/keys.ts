/**
 * Key management shared by every store and cache: expanding a short hex prefix to the one full key it
 * names, and shrinking full keys to the shortest prefix that is still unambiguous (for display).
 * Stores only have to list their keys (optionally from a prefix, which SQL and sharded directories can
 * answer without a full scan); the rules live here once.
 */
import { AmbiguousDigestError, CacheMiss } from "../errors.js";
import type { KeyStream } from "./types.js";

/** The shortest prefix accepted by `expand`, and the shortest `shrink` produces. */
export const MIN_PREFIX = 4;

/** Length of a full key (hex SHA-256). */
export const KEY_LENGTH = 64;

const HEX = /^[0-9a-f]+$/;

/** Something that can list its keys, optionally only those starting with a prefix. @inline */
export type KeyLister = (prefix?: string) => KeyStream;

/** True for a full 64-hex lowercase key. */
export function isFullKey(key: string): boolean {
  return key.length === KEY_LENGTH && HEX.test(key);
}

/**
 * Normalise a user-supplied prefix: lowercase, hex only, at least {@link MIN_PREFIX} characters.
 * Throws `CacheMiss` with the reason otherwise (an unusable prefix finds nothing).
 */
export function checkPrefix(prefix: string): string {
  const p = prefix.toLowerCase();
  if (!HEX.test(p)) throw new CacheMiss(prefix, `'${prefix}' is not a hex digest prefix`);
  if (p.length < MIN_PREFIX) {
    throw new CacheMiss(prefix, `Prefix '${prefix}' is too short: use at least ${MIN_PREFIX} hex characters`);
  }
  if (p.length > KEY_LENGTH) throw new CacheMiss(prefix, `'${prefix}' is longer than a ${KEY_LENGTH}-character digest`);
  return p;
}

/** Collect up to `limit` keys of `lister` that start with `prefix`. */
export async function keysWithPrefix(lister: KeyLister, prefix: string, limit = Infinity): Promise<string[]> {
  const found: string[] = [];
  for await (const key of lister(prefix)) {
    if (!key.startsWith(prefix)) continue; // listers may over-report; the rule is enforced here
    if (!found.includes(key)) found.push(key);
    if (found.length >= limit) break;
  }
  return found.sort();
}

/**
 * Expand `prefix` to the single full key it names among the keys of all `listers` (a cache passes its
 * call store and value store). A full key is returned as is, whether stored or not.
 * @throws CacheMiss when nothing matches or the prefix is unusable.
 * @throws AmbiguousDigestError when several keys match; the message says how many characters are needed.
 */
export async function expandPrefix(prefix: string, ...listers: KeyLister[]): Promise<string> {
  const p = checkPrefix(prefix);
  if (p.length === KEY_LENGTH) return p;
  const candidates = new Set<string>();
  for (const lister of listers) for (const key of await keysWithPrefix(lister, p, 8)) candidates.add(key);
  const sorted = [...candidates].sort();
  if (sorted.length === 0) throw new CacheMiss(prefix, `No stored key starts with '${prefix}'`);
  if (sorted.length === 1) return sorted[0]!;
  throw ambiguous(prefix, sorted);
}

function ambiguous(prefix: string, candidates: string[]): AmbiguousDigestError {
  let need = 0;
  for (let i = 1; i < candidates.length; i++) need = Math.max(need, commonPrefix(candidates[i - 1]!, candidates[i]!) + 1);
  return new AmbiguousDigestError(
    `Short digest ${prefix} is ambiguous; expands to: [${candidates.join(", ")}]; need at least ${need} characters.`,
    candidates,
  );
}

/** Length of the common prefix of two strings. */
export function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Shrink each key to the shortest prefix (at least {@link MIN_PREFIX} characters) that no other key
 * among `allKeys` shares. Prefixes are for display: a later key may make them ambiguous.
 * @throws CacheMiss when a key is not among `allKeys`.
 * @throws AmbiguousDigestError when a key cannot be shortened at all.
 */
export function shrinkAgainst(keys: readonly string[], allKeys: Iterable<string>): string[] {
  const sorted = [...new Set(allKeys)].sort();
  return keys.map((key) => {
    const i = binarySearch(sorted, key);
    if (i < 0) throw new CacheMiss(key, `Cannot shrink ${key}: it is not stored`);
    const before = i > 0 ? commonPrefix(sorted[i - 1]!, key) : 0;
    const after = i + 1 < sorted.length ? commonPrefix(sorted[i + 1]!, key) : 0;
    const length = Math.max(MIN_PREFIX, before + 1, after + 1);
    if (length >= key.length) {
      throw new AmbiguousDigestError(`Cannot shrink ${key}: another key shares all but its last character`, [key]);
    }
    return key.slice(0, length);
  });
}

/** Gather every key of a lister (used by `shrink`, which needs the neighbours of each key). */
export async function allKeys(lister: KeyLister): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of lister()) keys.push(key);
  return keys;
}

function binarySearch(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
