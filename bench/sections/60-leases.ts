/**
 * Issue 12's numbers: leases on call keys.
 * (a) W7 of the peer workloads: two processes call the same 1 s function at the same moment; body
 *     executions per implementation (target: fleche with leases 1; without leases, and every peer, 2).
 * (b) How long after the holder files its record a waiting process returns (target ≤ 50 ms on file and
 *     SQLite stores), for a 0.3 s and a 1 s call (a waiter polls at 1% of its wait so far).
 * (c) What a lease adds to an uncontended miss-and-store of `tiny(a, b) = a + b` on a FileStore (target
 *     ≤ 1.3× the same miss with `lease: false`), and that a hit costs the same either way. Batches of the
 *     two alternate, so a noisy neighbour slows both alike.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Cache, FileStore, fleche, withCache } from "../../src/index.js";
import { registerBuiltinStores } from "../../src/stores/builtin.js";
import { storeFromConfig } from "../../src/stores/registry.js";
import { leasesOf } from "../../src/stores/leases.js";
import { WORK, bundle } from "../compile.js";
import { dropDatabases, freshDatabase } from "../../test/helpers/postgres.js";
import { formatNs, median, printTable, ratio } from "../harness.js";

const PEERS = ["keyv + @keyv/sqlite", "node-persist", "cacache"];

export default async function leases(): Promise<void> {
  registerBuiltinStores();
  const work = join(WORK, "leases");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const child = await bundle("bench/children/lease-child.ts");
  await w7(work, child);
  await waiterLatency(work, child);
  await leaseCost(work);
  rmSync(work, { recursive: true, force: true });
}

function fileConfig(root: string) {
  return { values: { type: "file", root }, calls: { type: "file", root } };
}

/** Run the child with `plan`; its stdout lines, parsed. */
async function runChild(child: string, plan: object): Promise<Record<string, number>[]> {
  const proc = spawn(process.execPath, [child, JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout.on("data", (c) => (out += c));
  proc.stderr.on("data", (c) => (err += c));
  const [code] = await once(proc, "exit");
  if (code !== 0) throw new Error(`lease bench child failed: ${err}`);
  return out.trim() ? out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, number>) : [];
}

const lines = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").length : 0);

async function w7(work: string, child: string): Promise<void> {
  const rows = [];
  for (const impl of ["fleche, leases (FileStore)", "fleche, lease: false", ...PEERS]) {
    const dir = join(work, `w7-${rows.length}`);
    mkdirSync(dir, { recursive: true });
    const log = join(dir, "executions.log");
    const at = [performance.timeOrigin + performance.now() + 2_500];
    const plan = { kind: "w7", impl: impl.startsWith("fleche") ? impl.replace(" (FileStore)", "") : impl, config: fileConfig(join(dir, "cache")), dir, log, at, ms: 1_000 };
    const started = performance.now();
    await Promise.all([runChild(child, plan), runChild(child, plan)]);
    rows.push({ implementation: impl, "body executions": String(lines(log)), "both returned after": formatNs((performance.now() - started - 2_500) * 1e6) });
  }
  printTable("(a) W7: 2 processes call the same 1 s function at once (targets: fleche with leases 1 execution; without, and every peer, 2)", rows);
}

async function waiterLatency(work: string, child: string): Promise<void> {
  const rows = [];
  // PostgreSQL: a database per measurement (FLECHE_TEST_POSTGRES_URL's server, or a throwaway cluster).
  const databases = [await freshDatabase(), await freshDatabase()];
  const stores: [string, (dir: string) => Record<string, unknown>][] = [
    ["FileStore", (dir) => fileConfig(join(dir, "cache"))],
    ["FileStore values, SQLite calls", (dir) => ({ values: { type: "file", root: join(dir, "values") }, calls: { type: "sql", url: join(dir, "calls.db") } })],
    ["FileStore values, PostgreSQL calls (NOTIFY)", (dir) => ({ values: { type: "file", root: join(dir, "values") }, calls: { type: "sql", url: databases.shift()! } })],
  ];
  for (const [name, config] of stores) {
    for (const ms of [300, 1_000]) {
      const dir = join(work, `latency-${rows.length}`);
      mkdirSync(dir, { recursive: true });
      const cfg = config(dir);
      const probe = storeFromConfig(cfg.calls, { role: "calls", origin: "bench" });
      const leased = leasesOf(probe) !== undefined;
      await probe.close?.();
      if (!leased) {
        rows.push({ store: name, call: formatNs(ms * 1e6), "median after save began": "n/a", "max after save began": "n/a", note: "this call store offers no leases in this build" });
        continue;
      }
      const reps = 8;
      const first = performance.timeOrigin + performance.now() + 2_500;
      const at = Array.from({ length: reps }, (_, i) => first + i * (ms + 600));
      const base = { kind: "latency", impl: "fleche", config: cfg, dir, log: join(dir, "executions.log"), ms };
      const [holder, waiter] = await Promise.all([
        runChild(child, { ...base, role: "holder", at }),
        runChild(child, { ...base, role: "waiter", at: at.map((t) => t + 100) }),
      ]);
      const after = holder.map((h, i) => waiter[i]!.returned! - h.filing!);
      rows.push({
        store: name,
        call: formatNs(ms * 1e6),
        "median after save began": formatNs(median(after) * 1e6),
        "max after save began": formatNs(Math.max(...after) * 1e6),
        note: `${reps} runs, ${lines(base.log)} executions`,
      });
    }
  }
  await dropDatabases();
  printTable("(b) a waiter returns this long after the holder began filing the record (its own save time included; targets: ≤ 50 ms on file and SQLite, ≤ 20 ms on PostgreSQL)", rows);
}

async function leaseCost(work: string): Promise<void> {
  const make = (lease: boolean) => {
    const store = new FileStore({ root: join(work, `cost-${lease}`) });
    return new Cache({ values: store, calls: store, lease });
  };
  const caches = { on: make(true), off: make(false) };
  const tiny = fleche((a: number, b: number) => a + b, { name: "tiny", module: "fleche-bench:leases", params: ["a", "b"] });
  const batch = 200;
  const batches = 15;
  let n = 0;
  /** Wall-clock and CPU (user + system) nanoseconds per operation over one batch. */
  const time = async (c: Cache, op: () => Promise<unknown>, ops: number) =>
    withCache(c, async () => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      for (let k = 0; k < ops; k++) await op();
      const used = process.cpuUsage(cpu);
      return { wall: ((performance.now() - start) * 1e6) / ops, cpu: ((used.user + used.system) * 1e3) / ops };
    });
  type Samples = { wall: number[]; cpu: number[] };
  const samples = () => ({ on: { wall: [], cpu: [] } as Samples, off: { wall: [], cpu: [] } as Samples });
  const miss = samples();
  const hit = samples();
  for (const c of [caches.on, caches.off]) await time(c, () => tiny(n++, 7), batch); // warm-up
  for (const c of [caches.on, caches.off]) await withCache(c, () => tiny(1, 2));
  // Misses first, then hits: a hit batch right after a miss batch would pay for its garbage.
  for (let b = 0; b < batches; b++) {
    for (const side of b % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      const m = await time(caches[side], () => tiny(n++, 7), batch);
      miss[side].wall.push(m.wall);
      miss[side].cpu.push(m.cpu);
    }
  }
  for (let b = 0; b < batches; b++) {
    for (const side of b % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      const h = await time(caches[side], () => tiny(1, 2), 10 * batch);
      hit[side].wall.push(h.wall);
      hit[side].cpu.push(h.cpu);
    }
  }
  const row = (operation: string, s: Samples, base: Samples) => ({
    operation,
    "wall time": formatNs(median(s.wall)),
    "vs lease: false": ratio(median(s.wall), median(base.wall)),
    "CPU time": formatNs(median(s.cpu)),
    "CPU vs lease: false": ratio(median(s.cpu), median(base.cpu)),
  });
  printTable("(c) cost of a lease on FileStore, tiny(a, b) = a + b (targets: miss ≤ 1.3× lease: false; hit 1.0×)", [
    row("miss-and-store, lease: false", miss.off, miss.off),
    row("miss-and-store, with a lease", miss.on, miss.off),
    row("hit, lease: false", hit.off, hit.off),
    row("hit, leases on", hit.on, hit.off),
  ]);
}
