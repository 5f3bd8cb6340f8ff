/**
 * The catalog of any cache, by scanning its records: what `fleche stats`, `fleche ui` and `f.explain`
 * use when the call store has no catalog push-down (`stores/catalog.ts`), or when the cache is a view
 * (filtered, stacked, pooled) whose records only the view itself can tell. Memory stays bounded by the
 * answer: a page keeps only `offset + limit` records while it scans, never all of them.
 */
import type { CallRecord } from "../call-record.js";
import { runtimeSummary, type CallCatalog, type FunctionTally, type RuntimePoint, type ValueReference } from "../stores/catalog.js";
import type { RecordTemplate } from "../query/template.js";

/** Where a scan reads records from: a cache's `records(template)`. */
export type RecordSource = (template: RecordTemplate) => AsyncIterable<CallRecord>;

/** `metadata.runtime.timestop` when numeric. */
export function timestopOf(record: CallRecord): number | undefined {
  const t = record.metadata.runtime?.timestop;
  return typeof t === "number" ? t : undefined;
}

/** `metadata.runtime.walltime` when numeric. */
export function walltimeOf(record: CallRecord): number | undefined {
  const t = record.metadata.runtime?.walltime;
  return typeof t === "number" ? t : undefined;
}

/** Newest first, undated last, then by key (a total order, so pages never overlap). */
export function newestFirst(a: CallRecord, b: CallRecord): number {
  const ta = timestopOf(a);
  const tb = timestopOf(b);
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return tb - ta;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** A catalog that scans `records` for every answer. */
export function scanCatalog(records: RecordSource): CallCatalog {
  const catalog: CallCatalog = {
    async names() {
      const names = new Set<string>();
      for await (const record of records({})) names.add(record.name);
      return [...names].sort();
    },

    async counts() {
      return (await catalog.tallies()).map(({ name, calls, oldest, newest }) => ({ name, calls, oldest, newest }));
    },

    async tallies() {
      const byName = new Map<string, { calls: number; oldest: number | null; newest: number | null; walltimes: number[] }>();
      for await (const record of records({})) {
        let t = byName.get(record.name);
        if (!t) byName.set(record.name, (t = { calls: 0, oldest: null, newest: null, walltimes: [] }));
        t.calls++;
        const stop = timestopOf(record);
        if (stop !== undefined) {
          if (t.oldest === null || stop < t.oldest) t.oldest = stop;
          if (t.newest === null || stop > t.newest) t.newest = stop;
        }
        const wall = walltimeOf(record);
        if (wall !== undefined) t.walltimes.push(wall);
      }
      return [...byName.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, t]): FunctionTally => ({ name, calls: t.calls, oldest: t.oldest, newest: t.newest, ...runtimeSummary(t.walltimes) }));
    },

    async *valueReferences(digests): AsyncGenerator<ValueReference> {
      const wanted = new Set(digests);
      const seen = new Set<string>();
      for await (const record of records({})) {
        const named = [...Object.values(record.arguments), ...(record.result === null ? [] : [record.result])];
        for (const digest of named) {
          const id = `${record.name}\0${digest}`;
          if (!wanted.has(digest) || seen.has(id)) continue;
          seen.add(id);
          yield [record.name, digest];
        }
      }
    },

    async count(template) {
      let n = 0;
      for await (const _ of records(template)) n++;
      return n;
    },

    async page(template, offset, limit) {
      const keep = offset + limit;
      if (limit <= 0) return [];
      // A bounded buffer: sorted and cut back to `keep` whenever it doubles.
      let best: CallRecord[] = [];
      for await (const record of records(template)) {
        best.push(record);
        if (best.length >= 2 * keep + 64) best = best.sort(newestFirst).slice(0, keep);
      }
      return best.sort(newestFirst).slice(offset, keep);
    },

    async runtimes(template, limit) {
      let points: RuntimePoint[] = [];
      const byNewest = (a: RuntimePoint, b: RuntimePoint) => b.timestop - a.timestop;
      for await (const record of records(template)) {
        const timestop = timestopOf(record);
        const walltime = walltimeOf(record);
        if (timestop === undefined || walltime === undefined) continue;
        points.push({ key: record.key, timestop, walltime });
        if (points.length >= 2 * limit + 64) points = points.sort(byNewest).slice(0, limit);
      }
      return points.sort(byNewest).slice(0, limit).reverse();
    },
  };
  return catalog;
}
