/**
 * Transfers that copy values as their stored bytes. When the source's and the target's value stores
 * both keep entries in the envelope of docs/file-format.md (`rawEntries`: FileStore, S3Store), a call's
 * values (its result and arguments, each with every part, found through `childDigests` without
 * decoding anything) are copied byte for byte, parts before the entries naming them, and the record is
 * filed as it is. Nothing is deserialized or serialized, so a 100 MB array costs one read and one write.
 *
 * Whenever that is not possible the caller falls back to decoding and re-saving: a cache without raw
 * access (stacks, views, pools), a value missing at the source (the decoding path reports dangling
 * references as it always did), or bytes the target refuses (`write` answering false: signed with a key
 * the target does not hold, say).
 */
import { CacheMiss } from "../errors.js";
import { D } from "../digest/index.js";
import { Call } from "../call.js";
import { inlineValueOf, type CallRecord } from "../call-record.js";
import type { CacheCore } from "../cache-core.js";
import type { ValueStore } from "../stores/types.js";

/** How copying one value's entries went. */
type Outcome = "copied" | "missing" | "refused";

/**
 * Copy the call `record` from `source` to `target` as bytes and file it; false (nothing filed) when it
 * must be copied decoded instead (see the module comment).
 */
export async function copyRaw(record: CallRecord, source: CacheCore, target: CacheCore): Promise<boolean> {
  const from = source.rawValues?.();
  const to = target.rawValues?.();
  if (!from || !to || !target.fileRecord) return false;
  const keys = [record.result, ...Object.values(record.arguments)].filter((k): k is string => k !== null && inlineValueOf(record, k) === undefined);
  for (const key of new Set(keys)) {
    if ((await copyValue(from, to, key)) !== "copied") return false;
  }
  await target.fileRecord(rekeyed(record));
  return true;
}

/**
 * The record as the target files it: keyed as a re-save would key it (the call's identity and argument
 * digests), everything else as it is.
 */
function rekeyed(record: CallRecord): CallRecord {
  const { name, module, version, codeDigest } = record;
  const args = Object.fromEntries(Object.entries(record.arguments).map(([n, digest]) => [n, D(digest)]));
  const call = Call.of({ name, module, version, codeDigest }, args);
  return call.key === record.key ? record : { ...record, key: call.key };
}

/** Copy the entry `key` and every part of it that the target lacks, parts first. */
async function copyValue(from: ValueStore, to: ValueStore, key: string): Promise<Outcome> {
  try {
    if (to.touchValue && (await to.touchValue(key))) return "copied"; // held whole, and refreshed
    const order: string[] = [];
    const seen = new Set<string>([key]);
    for (let i = 0, queue = [key]; i < queue.length; i++) {
      const entry = queue[i]!;
      order.push(entry);
      for (const child of await from.childDigests!(entry)) {
        if (seen.has(child)) continue;
        seen.add(child);
        queue.push(child);
      }
    }
    for (const entry of order.reverse()) {
      // (The value itself was touched above when the target touches: absent or incomplete, it is written.)
      if (entry === key ? !to.touchValue && (await to.containsValue(entry)) : await present(to, entry)) continue;
      const bytes = await from.rawEntries!.read(entry);
      if (!(await to.rawEntries!.write(entry, bytes))) return "refused";
    }
    return "copied";
  } catch (error) {
    if (error instanceof CacheMiss) return "missing";
    throw error;
  }
}

/** Whether the target holds the entry with its parts (refreshed, for stores that keep written-at times). */
async function present(store: ValueStore, key: string): Promise<boolean> {
  if (store.touchValue) return store.touchValue(key);
  return store.containsValue(key);
}
