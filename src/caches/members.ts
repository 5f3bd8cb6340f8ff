/**
 * What stacks and pools share: answering key questions across several member caches. Lookups take the
 * first member that answers; listings are unions de-duplicated by key, first member first.
 */
import { AmbiguousDigestError, CacheMiss } from "../errors.js";
import { checkPrefix, isFullKey } from "../stores/keys.js";
import type { CacheLike } from "../cache-like.js";
import type { CallRecord } from "../call-record.js";
import type { RecordTemplate } from "../query/template.js";

/** The full key `prefix` names in any member; members that disagree make it ambiguous. */
export async function expandAcross(members: readonly CacheLike[], prefix: string): Promise<string> {
  const p = checkPrefix(prefix);
  if (isFullKey(p)) return p;
  const found = new Set<string>();
  for (const member of members) {
    try {
      found.add(await member.expand(p));
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error;
    }
  }
  const keys = [...found].sort();
  if (keys.length === 1) return keys[0]!;
  if (keys.length === 0) throw new CacheMiss(prefix, `No stored key starts with '${prefix}' in any member cache`);
  throw new AmbiguousDigestError(`Short digest ${prefix} is ambiguous across member caches; expands to: [${keys.join(", ")}]`, keys);
}

/**
 * Shrink keys against every member that holds them and keep the longest prefix per key, which is
 * unambiguous in all of them. Members that do not hold a key are not asked about it.
 */
export async function shrinkAcross(members: readonly CacheLike[], keys: readonly string[]): Promise<string[]> {
  const best: (string | undefined)[] = keys.map(() => undefined);
  const keep = (i: number, prefix: string) => {
    if ((best[i]?.length ?? 0) < prefix.length) best[i] = prefix;
  };
  for (const member of members) {
    let batch: string[] | undefined;
    try {
      batch = await member.shrinkAll(keys);
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error;
    }
    if (batch) {
      batch.forEach((prefix, i) => keep(i, prefix));
      continue;
    }
    // Some key is not in this member: ask about each key on its own.
    for (let i = 0; i < keys.length; i++) {
      try {
        keep(i, await member.shrink(keys[i]!));
      } catch (error) {
        if (!(error instanceof CacheMiss)) throw error;
      }
    }
  }
  return best.map((prefix, i) => {
    if (prefix === undefined) throw new CacheMiss(keys[i]!, `Cannot shrink ${keys[i]}: no member cache stores it`);
    return prefix;
  });
}

/** Records matching `template` from every member, each key once (the first member holding it wins). */
export async function* unionRecords(members: readonly CacheLike[], template: RecordTemplate): AsyncGenerator<CallRecord> {
  const seen = new Set<string>();
  for (const member of members) {
    for await (const record of member.records(template)) {
      if (seen.has(record.key)) continue;
      seen.add(record.key);
      yield record;
    }
  }
}

/** The value under `key` from the first member that has it. */
export async function firstValue(members: readonly CacheLike[], key: string): Promise<unknown> {
  for (const member of members) {
    try {
      return await member.loadValue(key);
    } catch (error) {
      if (!(error instanceof CacheMiss)) throw error;
    }
  }
  throw new CacheMiss(key, `No value ${key} in any member cache`);
}

/** The record under a full key from the first member that has it, with that member's index. */
export async function firstRecord(
  members: readonly CacheLike[],
  key: string,
): Promise<{ record: CallRecord; index: number } | undefined> {
  for (let index = 0; index < members.length; index++) {
    const record = await members[index]!.loadRecord(key);
    if (record) return { record, index };
  }
  return undefined;
}

/** True when any member holds a call under `key`. */
export async function anyContains(members: readonly CacheLike[], key: string): Promise<boolean> {
  for (const member of members) if (await member.contains(key)) return true;
  return false;
}

/** Close every member, even when one fails; rethrow the first failure. */
export async function closeAll(members: readonly CacheLike[]): Promise<void> {
  const results = await Promise.allSettled(members.map((m) => m.close()));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
