/**
 * Keys of a {@link Cache} as people type them: prefixes resolved against the call keyspace, the value
 * keyspace or both (ambiguous or unknown prefixes are errors naming them, `stores/keys.ts`), and the
 * shortest unambiguous prefixes of full keys.
 */
import { allKeys, checkPrefix, expandPrefix, isFullKey, shrinkAgainst } from "./stores/keys.js";
import type { CallStore, ValueStore } from "./stores/types.js";

/** The two keyspaces of a cache. */
export interface Keyspaces {
  readonly calls: CallStore;
  readonly values: ValueStore;
}

/** A prefix resolved against the call keyspace only. */
export async function callKeyOf(s: Keyspaces, key: string): Promise<string> {
  if (isFullKey(key)) return key;
  return expandPrefix(key, (p) => s.calls.listCalls(p));
}

/** A prefix resolved against the value keyspace only. */
export async function valueKeyOf(s: Keyspaces, key: string): Promise<string> {
  if (isFullKey(key)) return key;
  return expandPrefix(key, (p) => s.values.listValues(p));
}

/** A prefix resolved against both keyspaces. */
export function expandKey(s: Keyspaces, prefix: string): Promise<string> {
  return expandPrefix(
    prefix,
    (p) => s.calls.listCalls(p),
    (p) => s.values.listValues(p),
  );
}

/** The shortest unambiguous prefixes: call keys against the call keyspace, value keys against the value keyspace. */
export async function shrinkKeys(s: Keyspaces, keys: readonly string[]): Promise<string[]> {
  const calls = await allKeys((p) => s.calls.listCalls(p));
  const callSet = new Set(calls);
  let values: string[] | undefined;
  const out: string[] = [];
  for (const key of keys) {
    const full = checkPrefix(key);
    if (callSet.has(full)) out.push(shrinkAgainst([full], calls)[0]!);
    else out.push(shrinkAgainst([full], (values ??= await allKeys((p) => s.values.listValues(p))))[0]!);
  }
  return out;
}

/** Every stored call key, sorted. */
export async function sortedCallKeys(s: Keyspaces): Promise<string[]> {
  return (await allKeys((p) => s.calls.listCalls(p))).sort();
}

/** Every stored value key, sorted. */
export async function sortedValueKeys(s: Keyspaces): Promise<string[]> {
  return (await allKeys((p) => s.values.listValues(p))).sort();
}
