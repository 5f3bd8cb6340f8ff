/**
 * Dangling references: call records that refer to values their cache's value store does not hold (a
 * value removed by hand, lost with a disk, collected by a gc that raced a writer, or a part of a
 * destructured value that is gone). Such a record cannot be served (its result is missing) or not
 * faithfully re-run, transferred or inspected (an argument is missing).
 *
 * The check reads every record of every plain cache in a composition and asks the value store, for each
 * value a record names, whether it holds it, following destructured parts through `childDigests` (read
 * from headers, never deserialised), each value once. Inline values (kept inside records) are never
 * dangling.
 *
 * With `repair`, a record is first **re-linked**: every missing entry found in another cache of the same
 * composition (another layer of a stack, another member of a pool) is copied into this cache's value
 * store, checked against its digest. A record that still misses a value, its result or an argument, is
 * **removed**: it cannot be served, or it would spread the dangling reference (by `transfer`, back-fill
 * or a re-run) and be reported forever. Removing a record costs at most one recomputation. Caches under a
 * read-only view or in a pool are reported, never changed.
 */
import { CacheMiss } from "../errors.js";
import { logger } from "../log.js";
import { digest } from "../digest/index.js";
import { inlineValueOf, type CallRecord } from "../call-record.js";
import { allKeys } from "../stores/keys.js";
import { placedCaches, type StoreBacked } from "./placed.js";
import type { CacheLike } from "../cache-like.js";
import type { ValueStore } from "../stores/types.js";

/** One value a record names that cannot be loaded. @inline */
export interface DanglingReference {
  /** The call record's key. */
  readonly call: string;
  /** The function's name. */
  readonly name: string;
  /** Which value of the record: its result or one of its arguments. */
  readonly role: "result" | "argument";
  /** The argument's parameter name (for `role: "argument"`). */
  readonly parameter?: string;
  /** The digest the record names. */
  readonly value: string;
  /** The entry that is missing: `value` itself, or one of its parts. */
  readonly missing: string;
  /** What is wrong, e.g. "value 3f…  is missing" or "part 9a… of value 3f… is missing". */
  readonly problem: string;
}

/** What the check found (and, with `repair`, did) in one plain cache. */
export interface ReferenceReport {
  /** Where the cache sits in the composition ("" for a plain cache, "layer 1 ", "member 0 "). */
  readonly path: string;
  /** True when the cache is under a read-only view or in a pool: reported, never repaired. */
  readonly readOnly: boolean;
  /** Call records read. */
  readonly records: number;
  /** Every dangling reference found (several per record when several values are missing). */
  readonly dangling: readonly DanglingReference[];
  /** Keys of records with dangling references (each once). */
  readonly danglingCalls: readonly string[];
  /** Keys of records removed (repair); a record the call store refuses to remove stays reported only. */
  readonly removed: readonly string[];
  /** Keys of records whose missing values were copied from another cache of the composition (repair). */
  readonly relinked: readonly string[];
}

/** Options of {@link checkReferences}. */
export interface ReferenceCheckOptions {
  /** Re-link or remove records with dangling references (see the module comment). @default false */
  readonly repair?: boolean;
  /**
   * Value keys known to be damaged (e.g. reported by the value store's own `verify`): counted as
   * missing without being read, so a check without `repair` changes nothing (some stores remove a
   * damaged entry when they read it).
   */
  readonly unusable?: ReadonlySet<string>;
  /** Progress: the cache's path, records done, and the total. */
  readonly onProgress?: (path: string, done: number, total: number) => void;
}

/** Check the references of every plain cache of `cache` (a `Cache`, or any stack, pool or view of them). */
export async function checkReferences(cache: CacheLike, options: ReferenceCheckOptions = {}): Promise<ReferenceReport[]> {
  const placed = placedCaches(cache);
  const reports: ReferenceReport[] = [];
  for (const { cache: c, path, readOnly } of placed) {
    const sources = placed.map((p) => p.cache.values).filter((values) => values !== c.values);
    const repair = Boolean(options.repair) && !readOnly;
    reports.push({ path, readOnly, ...(await checkCache(c, sources, { ...options, repair }, path)) });
  }
  return reports;
}

type CacheResult = Omit<ReferenceReport, "path" | "readOnly">;

/** Why an entry cannot be loaded: the entry, and what is wrong with it. */
interface Gap {
  readonly missing: string;
  readonly what: string;
}

async function checkCache(cache: StoreBacked, sources: readonly ValueStore[], options: ReferenceCheckOptions, path: string): Promise<CacheResult> {
  const values = new Completeness(cache.values, options.unusable ?? new Set());
  const keys = await allKeys((p) => cache.calls.listCalls(p));
  const dangling: DanglingReference[] = [];
  const danglingCalls: string[] = [];
  const removed: string[] = [];
  const relinked: string[] = [];
  let records = 0;
  for (const key of keys) {
    options.onProgress?.(path, records, keys.length);
    let record: CallRecord | undefined;
    try {
      record = await cache.calls.loadCall(key);
    } catch {
      continue; // an unreadable record is the call store's own check's to report
    }
    records++;
    if (!record) continue; // evicted meanwhile, or damaged (reported by the store's check)
    let found = await danglingOf(record, values);
    if (found.length === 0) continue;
    dangling.push(...found);
    danglingCalls.push(key);
    if (!options.repair) continue;
    for (let round = 0; found.length > 0 && round < MAX_RELINK_ROUNDS; round++) {
      if (!(await relink(found, cache.values, sources))) break;
      values.forget();
      found = await danglingOf(record, values);
    }
    if (found.length === 0) {
      relinked.push(key);
    } else if (await evict(cache, key)) {
      removed.push(key);
    }
  }
  options.onProgress?.(path, records, keys.length);
  return { records, dangling, danglingCalls, removed, relinked };
}

/** A value may miss several parts; each round of re-linking copies every missing entry found. */
const MAX_RELINK_ROUNDS = 8;

/** The dangling references of one record. */
async function danglingOf(record: CallRecord, values: Completeness): Promise<DanglingReference[]> {
  const refs: { value: string; parameter?: string }[] = Object.entries(record.arguments).map(([parameter, value]) => ({ value, parameter }));
  if (record.result !== null) refs.push({ value: record.result });
  const found: DanglingReference[] = [];
  for (const { value, parameter } of refs) {
    if (inlineValueOf(record, value) !== undefined) continue; // travels in the record: never dangling
    const gap = await values.gap(value);
    if (!gap) continue;
    const what = gap.missing === value ? `value ${value} ${gap.what}` : `part ${gap.missing} of value ${value} ${gap.what}`;
    const problem = parameter === undefined ? `result: ${what}` : `argument '${parameter}': ${what}`;
    const role = parameter === undefined ? { role: "result" as const } : { role: "argument" as const, parameter };
    found.push({ call: record.key, name: record.name, ...role, value, missing: gap.missing, problem });
  }
  return found;
}

/** Remove a record; false (with a warning) when the store refuses (read-only media, say): it stays reported. */
async function evict(cache: StoreBacked, key: string): Promise<boolean> {
  try {
    await cache.calls.evictCall(key);
    return true;
  } catch (error) {
    logger().warn(`Cannot remove the call record ${key} with dangling references: ${(error as Error).message}`);
    return false;
  }
}

/** Copy the missing entries from the first source that has each; true when at least one was copied. */
async function relink(found: readonly DanglingReference[], target: ValueStore, sources: readonly ValueStore[]): Promise<boolean> {
  let any = false;
  for (const missing of new Set(found.map((d) => d.missing))) {
    for (const source of sources) {
      let value: unknown;
      try {
        value = await source.loadValue(missing);
      } catch (error) {
        if (error instanceof CacheMiss) continue;
        throw error;
      }
      if (digest(value) !== missing) continue; // not what the record names: never re-link a wrong value
      try {
        await target.saveValue(value, missing);
      } catch (error) {
        logger().warn(`Cannot re-link value ${missing}: ${(error as Error).message}`);
        return any; // the store refuses writes: the record is removed, or stays reported
      }
      any = true;
      break;
    }
  }
  return any;
}

/** Which values of a store can be loaded completely, each checked once. */
class Completeness {
  #memo = new Map<string, Gap | null>();

  constructor(
    readonly values: ValueStore,
    readonly unusable: ReadonlySet<string>,
  ) {}

  /** Forget what was checked (after re-linking changed the store). */
  forget(): void {
    this.#memo = new Map();
  }

  /** Why `key` cannot be loaded completely, or undefined when it can. */
  async gap(key: string, path: Set<string> = new Set()): Promise<Gap | undefined> {
    const known = this.#memo.get(key);
    if (known !== undefined) return known ?? undefined;
    if (path.has(key)) return { missing: key, what: "refers to itself" }; // a crafted entry: never loop
    const gap = await this.#check(key, path);
    this.#memo.set(key, gap ?? null);
    return gap;
  }

  async #check(key: string, path: Set<string>): Promise<Gap | undefined> {
    if (this.unusable.has(key)) return { missing: key, what: "is damaged" };
    if (!(await this.values.containsValue(key))) return { missing: key, what: "is missing" };
    if (!this.values.childDigests) return undefined;
    let children: readonly string[];
    try {
      children = await this.values.childDigests(key);
    } catch (error) {
      return { missing: key, what: `cannot be read (${(error as Error).message})` };
    }
    path.add(key);
    try {
      for (const child of children) {
        const gap = await this.gap(child, path);
        if (gap) return gap;
      }
    } finally {
      path.delete(key);
    }
    return undefined;
  }
}
