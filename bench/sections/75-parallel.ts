/**
 * Issue 15's numbers for `f.map` on worker threads (2 threads, this machine's cores):
 * (a) 200 calls of a 20 ms CPU-bound function, all misses committed to a FileStore cache: the map's time
 *     against the same 200 calls awaited one by one in this thread (target ≤ 0.6×). Both threads are
 *     started before timing (a process starts them once; its first map, two 300 ms calls on fresh
 *     threads, is shown on its own row).
 * (b) 10,000 calls that are all cached: one map against awaiting the same 10,000 hits one by one (target
 *     ≤ 1.2×), in a memory cache (where per-call overhead shows most) and in a FileStore cache.
 * Runs of the map and its baseline alternate, so a noisy neighbour slows both alike; medians are shown.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Cache, Memory, persistent, threads, withCache } from "../../src/index.js";
import type { CacheLike } from "../../src/index.js";
import { spin, twice } from "../children/parallel-tasks.js";
import { WORK } from "../compile.js";
import { formatNs, median, printTable, ratio } from "../harness.js";

const SPIN_CALLS = 200;
const SPIN_MS = 20;
const HITS = 10_000;
const ROUNDS = 3;

export default async function parallel(): Promise<void> {
  const work = join(WORK, "parallel");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pool = threads({ size: 2 });
  try {
    const started = performance.now();
    await withCache(persistent(join(work, "warm")), () => spin.map([[-1, 300], [-2, 300]], { executor: pool }));
    const startup = performance.now() - started;
    const rows = [...(await cpuBound(work, pool)), ...(await cachedHits(work, pool))];
    rows.push({ measure: "first map of a process: 2 threads started, 2 × 300 ms calls", time: formatNs(startup * 1e6), ratio: "", target: "" });
    printTable("f.map on worker threads", rows);
  } finally {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function timed(op: () => PromiseLike<unknown>): Promise<number> {
  const start = performance.now();
  await op();
  return performance.now() - start;
}

async function cpuBound(work: string, pool: ReturnType<typeof threads>) {
  const mapped: number[] = [];
  const serial: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh caches, distinct arguments per round: every call is a miss that runs and is stored.
    const args = Array.from({ length: SPIN_CALLS }, (_, i) => [round * 1000 + i, SPIN_MS] as [number, number]);
    const mapCache = persistent(join(work, `map-${round}`));
    mapped.push(await timed(() => withCache(mapCache, () => spin.map(args, { executor: pool }))));
    const serialCache = persistent(join(work, `serial-${round}`));
    serial.push(
      await timed(() =>
        withCache(serialCache, async () => {
          for (const [i, ms] of args) await spin(i, ms);
        }),
      ),
    );
  }
  return [
    { measure: `${SPIN_CALLS} × ${SPIN_MS} ms CPU-bound misses, one by one (FileStore)`, time: formatNs(median(serial) * 1e6), ratio: "1.00×", target: "" },
    { measure: `${SPIN_CALLS} × ${SPIN_MS} ms CPU-bound misses, f.map on 2 threads`, time: formatNs(median(mapped) * 1e6), ratio: ratio(median(mapped), median(serial)), target: "≤ 0.6×" },
  ];
}

async function cachedHits(work: string, pool: ReturnType<typeof threads>) {
  const rows = [];
  const args = Array.from({ length: HITS }, (_, i) => [i] as [number]);
  const caches: [string, CacheLike][] = [
    ["memory", new Cache({ values: new Memory(), calls: new Memory() })],
    ["FileStore", persistent(join(work, "hits"))],
  ];
  for (const [label, cache] of caches) {
    await withCache(cache, async () => {
      for (const [i] of args) await twice(i);
    });
    const mapped: number[] = [];
    const serial: number[] = [];
    for (let round = 0; round < ROUNDS + 2; round++) {
      serial.push(
        await timed(() =>
          withCache(cache, async () => {
            for (const [i] of args) await twice(i);
          }),
        ),
      );
      mapped.push(await timed(() => withCache(cache, () => twice.map(args, { executor: pool }))));
    }
    rows.push(
      { measure: `${HITS} hits awaited one by one (${label})`, time: formatNs(median(serial) * 1e6), ratio: "1.00×", target: "" },
      { measure: `${HITS} hits in one f.map (${label})`, time: formatNs(median(mapped) * 1e6), ratio: ratio(median(mapped), median(serial)), target: "≤ 1.2×" },
    );
  }
  return rows;
}
