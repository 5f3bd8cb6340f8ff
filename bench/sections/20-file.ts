/**
 * Issue 3's numbers for FileStore, against peers measured in the same run:
 * (a) warm hit of `tiny(a, b) = a + b`; (b) miss-and-store of it, against the floor of a file-per-key
 * design (one temporary write and a rename); (c) a 100 MB Float64Array result stored, loaded in a new
 * process, and its bytes on disk; (d) cold start of a new process over 50k stored entries; (e) what the
 * integrity check (issue 9: a CRC-32 on every read) costs on the warm tiny hit and on the 100 MB load,
 * against the same reads with the check switched off (an internal switch) and the file floor.
 * Python peers (joblib.Memory, diskcache) run through /usr/bin/python3 and show "n/a" when missing.
 */
import { spawnSync } from "node:child_process";
import { hash } from "node:crypto";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Cache, FileStore, cache, fleche } from "../../src/index.js";
import { writeFileAtomicSync } from "../../src/fs/atomic.js";
import { crc32 } from "../../src/fs/crc32.js";
import { integrity } from "../../src/stores/envelope/integrity.js";
import { WORK, bundle, compile } from "../compile.js";
import { formatNs, measure, median, printTable, ratio, type Measurement } from "../harness.js";
import { nodePeers } from "../peers/node-peers.js";
import { hasPython, python } from "../peers/python.js";

const MODULE = "fleche-bench:file";
const BIG = 12_500_000; // float64s: 100 MB
const COLD_ENTRIES = 50_000;
const NA = "n/a";

export default async function file(): Promise<void> {
  const work = join(WORK, "file");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [child] = await compile("bench/children/file-child.ts");
  const bundled = await bundle("bench/children/file-child.ts");
  await hits(work);
  await misses(work);
  await bigValue(work, child!);
  await coldStart(child!, bundled);
  await integrityCost(work);
  rmSync(work, { recursive: true, force: true });
}

/** A fresh cache of one FileStore (values and calls) with the benchmark's `tiny`. */
function tinyOn(root: string, options: { serializer?: "v8" | "json" | "msgpack"; secretKey?: string } = {}) {
  const store = new FileStore({ root, ...options });
  const c = new Cache({ values: store, calls: store });
  const tiny = fleche((a: number, b: number) => a + b, { name: "tiny", module: MODULE, params: ["a", "b"] });
  return { c, tiny };
}

async function withCache<T>(c: Cache, fn: () => Promise<T>): Promise<T> {
  using _ = cache(c);
  return await fn(); // awaited inside the block: the cache stays active until fn is done
}

const hitOptions = { batch: 2_000, batches: 10, warmup: 2_000 };

async function hits(work: string): Promise<void> {
  const rows: Measurement[] = [];
  for (const [label, options] of [
    ["fleche FileStore (v8)", {}],
    ["fleche FileStore (signed)", { secretKey: "ab".repeat(32) }],
  ] as const) {
    const { c, tiny } = tinyOn(join(work, `hit-${rows.length}`), options);
    rows.push(await withCache(c, async () => (await tiny(1, 2), measure(label, () => tiny(1, 2), hitOptions))));
  }
  for (const [name, memoized] of await nodePeers(join(work, "hit-peers"))) {
    await memoized(1, 2);
    rows.push(await measure(name, () => memoized(1, 2), { batch: 500, batches: 10, warmup: 500 }));
  }
  for (const lib of ["diskcache", "joblib"] as const) {
    rows.push({ name: `${lib} (Python)`, nsPerOp: hasPython(lib) ? python<{ ns: number }>("hit", lib, join(work, `hit-${lib}`)).ns : NaN });
  }
  const fleche = rows[0]!.nsPerOp;
  const diskcache = rows.find((r) => r.name.startsWith("diskcache"))!.nsPerOp;
  printTable(
    "(a) warm hit, tiny(a, b) = a + b (targets: fleche ≤ 1.0× diskcache; every other peer ≥ 3× slower than fleche)",
    rows.map((m) => ({
      implementation: m.name,
      "per hit": show(m.nsPerOp),
      "vs diskcache": Number.isNaN(diskcache) || Number.isNaN(m.nsPerOp) ? NA : ratio(m.nsPerOp, diskcache),
      "× fleche's time": Number.isNaN(m.nsPerOp) ? NA : ratio(m.nsPerOp, fleche),
    })),
  );
}

const missOptions = { batch: 300, batches: 10, warmup: 300 };

async function misses(work: string): Promise<void> {
  const rows: Measurement[] = [];
  const { c, tiny } = tinyOn(join(work, "miss-fleche"));
  let i = 0;
  rows.push(await withCache(c, () => measure("fleche FileStore (v8)", () => tiny(i++, 7), missOptions)));
  // An argument too large to travel in the record is a value file of its own, touched again at commit (docs/gc.md).
  const length = fleche((text: string) => text.length, { name: "length", module: MODULE, params: ["text"] });
  const pad = "a".repeat(400);
  rows.push(await withCache(c, () => measure("fleche FileStore (v8), new 400-char argument", () => length(`${i++}${pad}`), missOptions)));

  // The floor of a file-per-key design: one temporary file and a rename per entry, in sharded directories.
  const record = Buffer.from(JSON.stringify(await withCache(c, async () => (await c.loadRecord(await tiny.digest(1, 7))) ?? {})));
  const floorRoot = join(work, "miss-floor");
  for (let s = 0; s < 256; s++) mkdirSync(join(floorRoot, s.toString(16).padStart(2, "0")), { recursive: true });
  const pathOf = (n: number) => {
    const key = hash("sha256", `floor ${n}`);
    return join(floorRoot, key.slice(0, 2), key);
  };
  let f = 0;
  rows.push(
    await measure("floor: fs.promises temp write + rename", async () => {
      const path = pathOf(f++);
      await writeFile(`${path}.tmp`, record, { flag: "wx" });
      await rename(`${path}.tmp`, path);
    }, missOptions),
  );
  rows.push(await measure("floor, synchronous (reference)", () => writeFileAtomicSync(pathOf(f++), [record]), missOptions));
  for (const [name, memoized] of await nodePeers(join(work, "miss-peers"))) {
    let k = 0;
    rows.push(await measure(name, () => memoized(k++, 7), { batch: 100, batches: 10, warmup: 100 }));
  }
  for (const lib of ["diskcache", "joblib"] as const) {
    rows.push({ name: `${lib} (Python)`, nsPerOp: hasPython(lib) ? python<{ ns: number }>("miss", lib, join(work, `miss-${lib}`)).ns : NaN });
  }
  const floor = rows.find((r) => r.name.startsWith("floor: "))!.nsPerOp;
  const joblib = rows.find((r) => r.name.startsWith("joblib"))!.nsPerOp;
  printTable(
    "(b) miss-and-store of tiny with new arguments (targets: fleche ≤ 1.0× the floor, ≤ 0.5× joblib)",
    rows.map((m) => ({
      implementation: m.name,
      "per new entry": show(m.nsPerOp),
      "vs floor": Number.isNaN(m.nsPerOp) ? NA : ratio(m.nsPerOp, floor),
      "vs joblib": Number.isNaN(joblib) || Number.isNaN(m.nsPerOp) ? NA : ratio(m.nsPerOp, joblib),
    })),
  );
}

async function bigValue(work: string, child: string): Promise<void> {
  const data = new Float64Array(BIG);
  for (let k = 0; k < BIG; k++) data[k] = k * 0.5;
  const fleche3: { stored: number; loaded: number; bytes: number }[] = [];
  const joblib3: { stored: number; loaded: number; bytes: number }[] = [];
  // fleche and joblib take turns, so both meet the same disk (write-back of earlier sections included).
  for (let run = 0; run < 3; run++) {
    const root = join(work, `big-fleche-${run}`);
    const store = new FileStore({ root });
    const c = new Cache({ values: store, calls: store });
    const big = fleche((_n: number) => data, { name: "big", module: MODULE, params: ["n"] });
    const start = performance.now();
    await withCache(c, () => big(BIG));
    const stored = performance.now() - start;
    fleche3.push({ stored, loaded: runChild<{ ms: number }>(child, "load", root, String(BIG)).ms, bytes: valueBytes(root) });
    rmSync(root, { recursive: true, force: true });
    if (hasPython("joblib")) {
      const dir = join(work, `big-joblib-${run}`);
      const s = python<{ ms: number; bytes: number }>("big-store", dir, String(BIG));
      const l = python<{ ms: number; bytes: number }>("big-load", dir, String(BIG));
      joblib3.push({ stored: s.ms, loaded: l.ms, bytes: l.bytes });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const summary = (name: string, runs: typeof fleche3) =>
    row(name, median(runs.map((r) => r.stored)), median(runs.map((r) => r.loaded)), runs[0]!.bytes / data.byteLength);
  const rows = [summary("fleche FileStore (v8)", fleche3)];
  if (joblib3.length) rows.push(summary("joblib.Memory (Python)", joblib3));
  else rows.push({ implementation: "joblib.Memory (Python)", store: NA, "store MB/s": NA, "load (new process)": NA, "load MB/s": NA, "bytes on disk": NA });
  printTable("(c) a 100 MB Float64Array result, medians of 3 alternating runs (targets: store and load throughput ≥ joblib's; bytes on disk ≤ 1.01× raw)", rows);
}

function row(implementation: string, storeMs: number, loadMs: number, bytesRatio: number) {
  return { implementation, store: ms(storeMs), "store MB/s": mbps(storeMs), "load (new process)": ms(loadMs), "load MB/s": mbps(loadMs), "bytes on disk": `${bytesRatio.toFixed(4)}×` };
}

async function coldStart(child: string, bundled: string): Promise<void> {
  const root = join(WORK, `cold-fleche-${COLD_ENTRIES}`);
  if (!existsSync(join(root, "populated"))) {
    rmSync(root, { recursive: true, force: true });
    const { c, tiny } = tinyOn(root);
    await withCache(c, async () => {
      for (let i = 0; i < COLD_ENTRIES; i++) await tiny(i, 0);
    });
    writeFileSync(join(root, "populated"), "");
  }
  const empty = join(WORK, "empty.mjs");
  writeFileSync(empty, "");
  const bare: number[] = [];
  const first: number[] = [];
  const firstBundled: number[] = [];
  for (let round = 0; round < 15; round++) {
    bare.push(wall(empty));
    first.push(wall(child, "first", root));
    firstBundled.push(wall(bundled, "first", root));
  }
  const phases = Array.from({ length: 7 }, () => runChild<{ import: number; setup: number; firstHit: number }>(bundled, "phases", root));
  const thousand = median(Array.from({ length: 5 }, () => runChild<{ ms: number }>(child, "thousand", root).ms));
  let diskcache = NaN;
  if (hasPython("diskcache")) {
    const dir = join(WORK, `cold-diskcache-${COLD_ENTRIES}`);
    if (!existsSync(join(dir, "populated"))) {
      rmSync(dir, { recursive: true, force: true });
      python("populate", dir, String(COLD_ENTRIES));
      writeFileSync(join(dir, "populated"), "");
    }
    diskcache = median(Array.from({ length: 5 }, () => python<{ ms: number }>("thousand", dir).ms));
  }
  const overhead = median(first) - median(bare);
  const overheadBundled = median(firstBundled) - median(bare);
  printTable(`(d) cold start over ${COLD_ENTRIES / 1000}k stored entries (targets: first hit ≤ 20 ms after bare node start-up; 1k hits ≤ diskcache's)`, [
    { measurement: "bare `node empty.mjs`", time: ms(median(bare)), "vs target": "" },
    { measurement: "first hit in a new process, fleche compiled per module", time: ms(median(first)), "vs target": "" },
    { measurement: "→ after bare start-up", time: ms(overhead), "vs target": ratio(overhead, 20) },
    { measurement: "first hit in a new process, fleche bundled in one file", time: ms(median(firstBundled)), "vs target": "" },
    { measurement: "→ after bare start-up", time: ms(overheadBundled), "vs target": ratio(overheadBundled, 20) },
    { measurement: "   of which: evaluating fleche (bundled)", time: ms(median(phases.map((p) => p.import))), "vs target": "" },
    { measurement: "   of which: new FileStore, Cache, fleche() (parses the function)", time: ms(median(phases.map((p) => p.setup))), "vs target": "" },
    { measurement: "   of which: the first hit (manifest, record, JIT)", time: ms(median(phases.map((p) => p.firstHit))), "vs target": "" },
    { measurement: "1k hits after the first (fleche)", time: ms(thousand), "vs target": Number.isNaN(diskcache) ? NA : ratio(thousand, diskcache) },
    { measurement: "1k hits, new process (diskcache, Python)", time: Number.isNaN(diskcache) ? NA : ms(diskcache), "vs target": "" },
  ]);
}

/**
 * (e) The check's cost, in this run: rounds alternate the check on and off (in alternating order;
 * medians), so both meet the same machine state.
 */
export async function integrityCost(work: string): Promise<void> {
  const rounds = 9;
  const order = <T>(modes: readonly T[], round: number): readonly T[] => (round % 2 ? [...modes].reverse() : modes);
  const { c, tiny } = tinyOn(join(work, "integrity-hit"));
  const hit: Record<"on" | "off", number[]> = { on: [], off: [] };
  await withCache(c, async () => {
    await tiny(1, 2);
    for (let r = 0; r < rounds; r++) {
      for (const mode of order(["on", "off"] as const, r)) {
        integrity.check = mode === "on";
        hit[mode].push((await measure(mode, () => tiny(1, 2), { batch: 2_000, batches: 5, warmup: 500 })).nsPerOp);
      }
    }
  });
  integrity.check = true;

  const root = join(work, "integrity-big");
  const store = new FileStore({ root });
  const data = new Float64Array(BIG);
  for (let k = 0; k < BIG; k++) data[k] = k * 0.5;
  const key = (await store.saveValue(data)) as string;
  const path = join(root, key.slice(0, 2), key);
  const load: Record<"on" | "off" | "floor", number[]> = { on: [], off: [], floor: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of order(["on", "off", "floor"] as const, r)) {
      const start = performance.now();
      if (mode === "floor") {
        const fd = openSync(path, "r"); // the floor: one read of the whole file into a buffer of its size
        const bytes = Buffer.allocUnsafeSlow(fstatSync(fd).size);
        readSync(fd, bytes, 0, bytes.length, 0);
        closeSync(fd);
      } else {
        integrity.check = mode === "on";
        await store.loadValue(key);
      }
      load[mode].push(performance.now() - start);
    }
  }
  integrity.check = true;
  const crcMs = median(Array.from({ length: rounds }, () => {
    const start = performance.now();
    crc32(new Uint8Array(data.buffer));
    return performance.now() - start;
  }));
  rmSync(root, { recursive: true, force: true });
  const on = median(hit.on);
  const off = median(hit.off);
  const loadOn = median(load.on);
  const loadOff = median(load.off);
  const floor = median(load.floor);
  printTable("(e) the integrity check (CRC-32 on every read), alternating rounds of this run (target: ≤ 1.10× without it)", [
    { measurement: "warm hit of tiny, with the check", time: formatNs(on), "vs without": ratio(on, off), "vs floor": "" },
    { measurement: "warm hit of tiny, without the check", time: formatNs(off), "vs without": "", "vs floor": "" },
    { measurement: "100 MB Float64Array load, with the check", time: ms(loadOn), "vs without": ratio(loadOn, loadOff), "vs floor": ratio(loadOn, floor) },
    { measurement: "100 MB Float64Array load, without the check", time: ms(loadOff), "vs without": "", "vs floor": ratio(loadOff, floor) },
    { measurement: "floor: one readSync of the 100 MB file", time: ms(floor), "vs without": "", "vs floor": "" },
    { measurement: "CRC-32 of 100 MB alone (what a store adds)", time: ms(crcMs), "vs without": "", "vs floor": "" },
  ]);
}

/** Wall-clock milliseconds of `node script ...args`. */
function wall(script: string, ...args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, [script, ...args], { stdio: "ignore" });
  if (run.status !== 0) throw new Error(`node ${script} ${args.join(" ")} failed`);
  return performance.now() - start;
}

function runChild<T>(script: string, ...args: string[]): T {
  const run = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`node ${script} ${args.join(" ")} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}

/** Bytes of the value files under a store root (records excluded). */
function valueBytes(root: string): number {
  let total = 0;
  for (const shard of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of readdirSync(join(root, shard))) if (!name.endsWith(".json")) total += statSync(join(root, shard, name)).size;
  }
  return total;
}

const show = (ns: number) => (Number.isNaN(ns) ? NA : formatNs(ns));
const ms = (value: number) => `${value.toFixed(1)} ms`;
const mbps = (millis: number) => `${((BIG * 8) / 1e6 / (millis / 1000)).toFixed(0)}`;
