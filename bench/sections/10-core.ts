/**
 * Issue 2's numbers: (a) hit latency of `tiny(a, b) = a + b` on the memory cache against in-memory
 * memoizers and a "SHA-256 of JSON.stringify(args) + Map.get" baseline; (b) miss-and-store cost.
 */
import { hash } from "node:crypto";
import memoizee from "memoizee";
import pMemoize from "p-memoize";
import { LRUCache } from "lru-cache";
import { Cache, Memory, cache, fleche } from "../../src/index.js";
import { formatNs, measure, printTable, ratio, type Measurement } from "../harness.js";

const tiny = (a: number, b: number) => a + b;

export default async function core(): Promise<void> {
  cache(new Cache({ values: new Memory(), calls: new Memory() }));
  const hits = await hitLatency();
  const misses = await missCost();
  const base = hits.find((m) => m.name.startsWith("baseline"))!.nsPerOp;
  const pm = hits.find((m) => m.name.startsWith("p-memoize"))!.nsPerOp;
  printTable(
    "(a) hit latency, tiny(a, b) = a + b, memory cache, 100k hits (targets: fleche ≤ 1.0× baseline, ≤ 1.0× p-memoize)",
    hits.map((m) => ({ implementation: m.name, "per hit": formatNs(m.nsPerOp), "vs baseline": ratio(m.nsPerOp, base), "vs p-memoize": ratio(m.nsPerOp, pm) })),
  );
  const missBase = misses.find((m) => m.name.startsWith("baseline"))!.nsPerOp;
  printTable(
    "(b) miss-and-store cost per new entry",
    misses.map((m) => ({ implementation: m.name, "per new entry": formatNs(m.nsPerOp), "vs baseline": ratio(m.nsPerOp, missBase) })),
  );
}

const hitOptions = { batch: 10_000, batches: 10, warmup: 20_000 };

async function hitLatency(): Promise<Measurement[]> {
  const f = fleche(function tinyCached(a: number, b: number) {
    return a + b;
  });
  await f(1, 2);
  const mz = memoizee(tiny, { length: 2 });
  const pm = pMemoize(async (a: number, b: number) => tiny(a, b), { cacheKey: (args) => JSON.stringify(args) });
  const lru = new LRUCache<string, number>({ max: 1_000_000 });
  const lruTiny = (a: number, b: number) => {
    const key = JSON.stringify([a, b]);
    let v = lru.get(key);
    if (v === undefined) lru.set(key, (v = tiny(a, b)));
    return v;
  };
  const map = new Map<string, number>();
  const baseline = (...args: number[]) => {
    const key = hash("sha256", JSON.stringify(args));
    let v = map.get(key);
    if (v === undefined) map.set(key, (v = tiny(args[0]!, args[1]!)));
    return v;
  };
  baseline(1, 2);
  await pm(1, 2);
  return [
    await measure("fleche (memory cache)", () => f(1, 2), hitOptions),
    await measure("baseline: sha256(JSON.stringify(args)) + Map.get", () => baseline(1, 2), hitOptions),
    await measure("p-memoize (key = JSON of all args)", () => pm(1, 2), hitOptions),
    await measure("memoizee", () => mz(1, 2), hitOptions),
    await measure("lru-cache (key = JSON of args)", () => lruTiny(1, 2), hitOptions),
  ];
}

const missOptions = { batch: 2_000, batches: 10, warmup: 2_000 };

async function missCost(): Promise<Measurement[]> {
  const f = fleche(function tinyMiss(a: number, b: number) {
    return a + b;
  });
  const pm = pMemoize(async (a: number, b: number) => tiny(a, b), { cacheKey: (args) => JSON.stringify(args) });
  const mz = memoizee(tiny, { length: 2 });
  const lru = new LRUCache<string, number>({ max: 10_000_000 });
  const map = new Map<string, number>();
  let i = 0;
  return [
    await measure("fleche (memory cache)", () => f(i++, 7), missOptions),
    await measure("baseline: sha256(JSON.stringify(args)) + Map.set", () => {
      const args = [i++, 7];
      map.set(hash("sha256", JSON.stringify(args)), tiny(args[0]!, args[1]!));
    }, missOptions),
    await measure("p-memoize", () => pm(i++, 7), missOptions),
    await measure("memoizee", () => mz(i++, 7), missOptions),
    await measure("lru-cache", () => {
      const a = i++;
      lru.set(JSON.stringify([a, 7]), tiny(a, 7));
    }, missOptions),
  ];
}
