/**
 * Issue 6's numbers: what composition costs on the hot path (hits through size limits, stacks, views),
 * the miss path with a size limit, garbage-collection throughput, and reading configuration.
 */
import { join } from "node:path";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Cache, CachePool, CacheStack, Memory, SizeLimited, cache, cacheFromConfig, fleche, withCache, type CacheLike } from "../../src/index.js";
import { loadConfig } from "../../src/config/load.js";
import { Call } from "../../src/call.js";
import { formatNs, measure, printTable, ratio, type Measurement } from "../harness.js";

const fresh = () => new Cache({ values: new Memory(), calls: new Memory() });

export default async function compose(): Promise<void> {
  const hits = await hitLatency();
  const plain = hits[0]!.nsPerOp;
  printTable(
    "(a) hit latency of tiny(a, b) through composed caches (target: size limits and stacks ≤ 1.5× plain)",
    hits.map((m) => ({ cache: m.name, "per hit": formatNs(m.nsPerOp), "vs plain": ratio(m.nsPerOp, plain) })),
  );
  const misses = await missCost();
  const plainMiss = misses[0]!.nsPerOp;
  printTable(
    "(b) miss-and-store cost per new entry",
    misses.map((m) => ({ cache: m.name, "per new entry": formatNs(m.nsPerOp), "vs plain": ratio(m.nsPerOp, plainMiss) })),
  );
  printTable("(c) gc of a memory cache: 10k records (20k referenced values) + 10k orphans", await gcThroughput());
  printTable("(d) reading configuration", await configCost());
}

const hitOptions = { batch: 10_000, batches: 10, warmup: 20_000 };

async function hitLatency(): Promise<Measurement[]> {
  const f = fleche(function tinyComposed(a: number, b: number) {
    return a + b;
  });
  /** Measure hits through `view` after storing the call in `store` (a view may not store itself). */
  const under = async (label: string, view: CacheLike, store: CacheLike = view) => {
    await withCache(store, () => f(1, 2));
    cache(view);
    return measure(label, () => f(1, 2), hitOptions);
  };
  const readOnlyBase = fresh();
  const lastMember = fresh();
  return [
    await under("plain memory cache", fresh()),
    await under("SizeLimited, random", new SizeLimited(fresh(), { maxSize: 1e6 })),
    await under("SizeLimited, lru (a hit moves the key)", new SizeLimited(fresh(), { maxSize: 1e6, eviction: "lru" })),
    await under("CacheStack, hit in the first layer", new CacheStack([fresh(), fresh()])),
    await under("ReadOnly view", readOnlyBase.readOnly(), readOnlyBase),
    await under("CachePool of 3, hit in the last member", new CachePool([fresh(), fresh(), lastMember]), lastMember),
  ];
}

const missOptions = { batch: 2_000, batches: 8, warmup: 2_000 };

async function missCost(): Promise<Measurement[]> {
  const f = fleche(function tinyComposedMiss(a: number, b: number) {
    return a + b;
  });
  let i = 0;
  const under = async (label: string, c: CacheLike) => {
    cache(c);
    return measure(label, () => f(i++, 7), missOptions);
  };
  return [
    await under("plain memory cache", fresh()),
    await under("SizeLimited, lru, never full", new SizeLimited(fresh(), { maxSize: 1e7, eviction: "lru" })),
    await under("SizeLimited, random, full (evicts on every save)", new SizeLimited(fresh(), { maxSize: 1000 })),
    await under("SizeLimited, max_bytes (measures every value)", new SizeLimited(fresh(), { maxBytes: 1e12 })),
    await under("CacheStack of 2", new CacheStack([fresh(), fresh()])),
  ];
}

async function gcThroughput(): Promise<Record<string, string>[]> {
  const c = fresh();
  const identity = { name: "g", module: "bench", version: null, codeDigest: null };
  const pad = "x".repeat(300); // keep values out of the records
  for (let i = 0; i < 10_000; i++) await c.save(Call.of(identity, { x: `${pad}${i}` }), `${pad}r${i}`);
  for (let i = 0; i < 10_000; i++) c.values.saveValue(`${pad}orphan ${i}`);
  const values = 30_000;
  let start = performance.now();
  const dry = await c.gc({ dryRun: true });
  const dryMs = performance.now() - start;
  start = performance.now();
  const real = await c.gc();
  const realMs = performance.now() - start;
  return [
    { pass: "dry run", removed: String(dry.evicted.length), time: `${dryMs.toFixed(0)} ms`, "per value": formatNs((dryMs * 1e6) / values) },
    { pass: "sweep", removed: String(real.evicted.length), time: `${realMs.toFixed(0)} ms`, "per value": formatNs((realMs * 1e6) / values) },
  ];
}

async function configCost(): Promise<Record<string, string>[]> {
  const root = mkdtempSync(join(tmpdir(), "fleche-bench-"));
  const home = join(root, "home");
  const cwd = join(home, "a/b/c");
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(home, "fleche.toml"), `[default]\ncache = "p"\n[p]\ntemplate = "memory"\n`);
  writeFileSync(join(home, "a/fleche.toml"), `[q]\nvalues = { type = "memory" }\ncalls = { type = "memory" }\nmax_size = 10\n`);
  writeFileSync(join(home, "a/b/fleche.toml"), `[[s]]\ntemplate = "memory"\n[[s]]\ntemplate = "memory"\nread_only = true\n`);
  const env = { cwd, home, env: {} };
  const load = await measure("discover, read and merge 3 files (walk of 4 directories)", () => loadConfig(env), { batch: 200, batches: 10, warmup: 200 });
  const config = loadConfig(env);
  const build = await measure("build the 2-layer stack from its table", () => cacheFromConfig(config.tables.get("s")!.value as never), {
    batch: 2_000,
    batches: 10,
    warmup: 2_000,
  });
  rmSync(root, { recursive: true, force: true });
  return [load, build].map((m) => ({ operation: m.name, time: formatNs(m.nsPerOp) }));
}
