/**
 * Issue 4's numbers. (a) A 1,000,000-record SQLite call store (built once under bench/.work/ and reused):
 * query by one argument value, latest(), and listing every key as a stream. (b) The hot path of Memory
 * values + SQLite calls against diskcache's `memoize` (Python, via /usr/bin/python3; "n/a" without it):
 * a hit, and a miss-and-store; and what the record checksum (`result_check`, verified on every hit)
 * costs of that hit, warm and on a first read, measured in the same run. (e), (f): values in SQL
 * (`../sql-values.ts`).
 */
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Cache, D, Memory, Sql, cache, digest, fleche, withCache, type CallRecord } from "../../src/index.js";
import { formatNs, measure, median, printTable, ratio } from "../harness.js";
import { recordCheck, resultCheck, VerifiedHits } from "../../src/stores/sql/checks.js";
import { SCHEMA_VERSION } from "../../src/stores/sql/schema.js";
import sqlValues from "../sql-values.js";

const WORK = fileURLToPath(new URL("../.work/", import.meta.url));
const BIG = `${WORK}sql-1m.db`;
const RECORDS = 1_000_000;
const FUNCTIONS = 10;
const T0 = 1_700_000_000;

export default async function sql(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(BIG)) await buildBig();
  await upgradeBig();
  await scale();
  await hotPath();
  await recordLoads();
  await sqlValues(WORK);
}

/** Record `i` of the big store: f0..f9, x unique, y shared by 1000 calls, runtime and tags. */
function bigRecord(i: number): CallRecord {
  const stop = T0 + i * 0.5 + (i % 7) * 0.01;
  return {
    key: digest(["bench-1m", i]),
    name: `f${i % FUNCTIONS}`,
    module: "bench:sql",
    version: 1,
    codeDigest: null,
    arguments: { x: digest(i), y: digest(i % 1000) },
    result: digest(i * 2),
    metadata: {
      runtime: { timestart: stop - 0.25, timestop: stop, walltime: 0.25, cputime: 0.2, systime: 0.01 },
      tags: { project: i % 3 ? "alpha" : "beta", run: i % 100 },
    },
  };
}

/** Build the 1M-record database through the public store (bulk transactions), then move it in place. */
async function buildBig(): Promise<void> {
  const partial = `${BIG}.partial`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  console.log(`\nBuilding ${RECORDS.toLocaleString()} call records in ${BIG} (once; reused by later runs)…`);
  const started = performance.now();
  const store = new Sql({ url: partial });
  const chunk = 10_000;
  for (let lo = 0; lo < RECORDS; lo += chunk) {
    store.saveCalls(Array.from({ length: chunk }, (_, k) => bigRecord(lo + k)));
    if ((lo / chunk) % 10 === 9) console.log(`  ${(lo + chunk).toLocaleString()} records, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await store.close(); // checkpoints the WAL into the file
  for (const suffix of ["-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
  renameSync(partial, BIG);
  console.log(`  built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * A big store built by an older fleche is upgraded in place once, when first opened (schema 5 → 6 moves
 * every record into its `calls` row: about a minute for 1M records); said and timed here, so that the
 * rows below always measure the current schema.
 */
async function upgradeBig(): Promise<void> {
  const db = new Database(BIG, { readonly: true });
  const version = db.prepare("SELECT version FROM fleche_schema").pluck().get() as number;
  db.close();
  if (version === SCHEMA_VERSION) return;
  console.log(`\nUpgrading ${BIG} from schema ${version} to ${SCHEMA_VERSION} (once; reused by later runs)…`);
  const started = performance.now();
  await new Sql({ url: BIG }).close();
  console.log(`  upgraded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Median wall time of `runs` runs of an async operation, after one warm-up run. */
async function timed(op: () => Promise<unknown>, runs = 15): Promise<number> {
  await op();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await op();
    samples.push((performance.now() - start) * 1e6);
  }
  return median(samples);
}

async function scale(): Promise<void> {
  const store = new Sql({ url: BIG });
  const c = new Cache({ values: new Memory(), calls: store });
  const f3 = fleche(function f3(x: number, y: number) {
    return x + y;
  }, { name: "f3", module: "bench:sql", version: 1 });
  let n = 0;
  const rows: { operation: string; matches: string; time: string; target: string }[] = [];
  const row = (operation: string, matches: number | string, ns: number, target = "") =>
    rows.push({ operation, matches: String(matches), time: formatNs(ns), target });

  let found = 0;
  row("query by one argument value (x, unique)", 1, await timed(async () => (found = (await c.query({ args: { x: 123_457 + n++ } }).toArray()).length)), "≤ 10 ms");
  expectCount(found, 1);
  row("query by one argument value (y, 1000 calls)", 1000, await timed(async () => (found = await c.query({ args: { y: 417 } }).count()), 7));
  row("f3.query({ args: { y } })", 1000, await timed(async () => (found = await withCache(c, () => f3.query({ args: { y: 3 } }).count())), 7));
  expectCount(found, 1000);
  row("query by argument digest prefix D('…8')", "1+", await timed(async () => c.query({ args: { x: D(digest(987_654).slice(0, 8)) } }).toArray()));
  row("latest() over every call", RECORDS, await timed(() => c.query().latest()), "≤ 10 ms");
  row("oldest() of one function (f3)", RECORDS / FUNCTIONS, await timed(() => c.query({ name: "f3" }).oldest()), "≤ 10 ms");
  row("latest() of calls with one argument value", 1000, await timed(() => c.query({ args: { y: 55 } }).latest()));
  const hour = { $gte: T0 + 200_000, $lt: T0 + 203_600 };
  row("time range, one hour (runtime.timestop)", 7200, await timed(async () => (found = await c.query({ metadata: { runtime: { timestop: hour } } }).count()), 5));

  const list = streamList(store);
  row("list keys: first key (streaming)", 1, (await list).first);
  row("list keys: first 1000 keys", 1000, (await list).thousand, "≤ 10 ms");
  row(`list keys: all ${RECORDS.toLocaleString()} (heap growth ${(await list).heapMB.toFixed(0)} MB)`, RECORDS, (await list).all);
  row("first 10 calls by tag (JSON scan of every call)", 10, await timed(() => c.query({ metadata: { tags: { project: "beta" } } }).take(10).count(), 3));
  await store.close();
  printTable(`(a) ${RECORDS.toLocaleString()} call records in SQLite (median of runs; targets from the issue)`, rows);
}

function expectCount(got: number, want: number): void {
  if (got !== want) throw new Error(`expected ${want} matches, got ${got}`);
}

/** Stream every key; time the first key, the first 1000 and all, and watch the heap. */
async function streamList(store: Sql): Promise<{ first: number; thousand: number; all: number; heapMB: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = heapBefore;
  const start = performance.now();
  let first = 0;
  let thousand = 0;
  let count = 0;
  for await (const _ of store.listCalls()) {
    count++;
    if (count === 1) first = performance.now() - start;
    if (count === 1000) thousand = performance.now() - start;
    if (count % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  if (count !== RECORDS) throw new Error(`listed ${count} keys`);
  return { first: first * 1e6, thousand: thousand * 1e6, all: (performance.now() - start) * 1e6, heapMB: (peak - heapBefore) / 2 ** 20 };
}

const PEER = `
import diskcache, json, shutil, statistics, sys, tempfile, time
directory = tempfile.mkdtemp(prefix="fleche-bench-dc-")
cache = diskcache.Cache(directory)
@cache.memoize()
def tiny(a, b):
    return a + b
def med(op, batch, batches, warm):
    n = 0
    for _ in range(warm):
        op(n); n += 1
    samples = []
    for _ in range(batches):
        t = time.perf_counter_ns()
        for _ in range(batch):
            op(n); n += 1
        samples.append((time.perf_counter_ns() - t) / batch)
    return statistics.median(samples)
tiny(1, 2)
hit = med(lambda i: tiny(1, 2), ${5000}, ${10}, ${5000})
miss = med(lambda i: tiny(10**7 + i, 7), ${1000}, ${10}, ${1000})
print(json.dumps({"hit": hit, "miss": miss}))
cache.close()
shutil.rmtree(directory)
`;

/** diskcache's memoize, measured like ours (median of batches), or undefined when Python or diskcache is missing. */
function diskcache(): { hit: number; miss: number } | undefined {
  if (!existsSync("/usr/bin/python3")) return undefined;
  try {
    return JSON.parse(execFileSync("/usr/bin/python3", ["-c", PEER], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { hit: number; miss: number };
  } catch {
    return undefined;
  }
}

/** Memory values + SQLite calls: hit and miss of a tiny call, against diskcache; the checksum's share of a hit. */
export async function hotPath(): Promise<void> {
  const dir = `${WORK}sql-hot/`;
  rmSync(dir, { recursive: true, force: true });
  const store = new Sql({ url: `${dir}calls.db` });
  cache(new Cache({ values: new Memory(), calls: store }));
  const tiny = fleche(function tiny(a: number, b: number) {
    return a + b;
  });
  await tiny(1, 2);
  const hit = await measure("hit", () => tiny(1, 2), { batch: 5000, batches: 10, warmup: 5000 });
  let i = 0;
  const miss = await measure("miss", () => tiny(i++, 7), { batch: 1000, batches: 10, warmup: 1000 });
  // The checksum a hit verifies, over the very texts of that row, timed alone in the same run: a CRC
  // when the texts are new to the store, and the comparison with the texts verified before when a warm
  // hit re-reads them unchanged (fresh string objects, as the database returns them). The hit without
  // the check would cost `hit - compare`.
  const key = (await allKeysOf(store))[0]!;
  const ref = store.loadResult(key) as { result: string | null; inline?: unknown };
  const inlineText = ref.inline === undefined ? null : JSON.stringify(ref.inline);
  const checkValue = resultCheck(key, ref.result, inlineText);
  const copies = Array.from({ length: 64 }, () => [copy(ref.result), copy(inlineText)] as const);
  const verified = new VerifiedHits();
  verified.add(key, ref.result, inlineText, checkValue);
  let sink = 0;
  const crc = await measure("crc", (i) => (sink ^= resultCheck(key, copies[i & 63]![0], copies[i & 63]![1])), { batch: 20_000, batches: 10 });
  const compare = await measure("compare", (i) => (sink ^= verified.has(key, copies[i & 63]![0], copies[i & 63]![1], checkValue) ? 1 : 0), {
    batch: 20_000,
    batches: 10,
  });
  if (sink === 0.5) console.log(sink); // keep the results alive
  await store.close();
  const peer = diskcache();
  const cell = (ns: number | undefined) => (ns === undefined ? "n/a" : formatNs(ns));
  const vs = (ours: number, theirs: number | undefined) => (theirs === undefined ? "n/a" : ratio(ours, theirs));
  printTable("(b) Memory values + SQLite calls vs diskcache's memoize (target: fleche ≤ 1.0× diskcache)", [
    { operation: "hit: tiny(1, 2)", fleche: formatNs(hit.nsPerOp), diskcache: cell(peer?.hit), "fleche / diskcache": vs(hit.nsPerOp, peer?.hit) },
    { operation: "miss and store: tiny(i, 7)", fleche: formatNs(miss.nsPerOp), diskcache: cell(peer?.miss), "fleche / diskcache": vs(miss.nsPerOp, peer?.miss) },
  ]);
  const bare = hit.nsPerOp - compare.nsPerOp;
  printTable("(c) The record checksum on that hit (same run; target: ≤ 10% of the hit)", [
    { hit: "warm (texts verified before: compared)", check: formatNs(compare.nsPerOp), "with / without": ratio(hit.nsPerOp, bare) },
    { hit: "first read of a row (CRC-32)", check: formatNs(crc.nsPerOp), "with / without": ratio(bare + crc.nsPerOp, bare) },
  ]);
  console.log("\nPython fleche's SQL-backed hit, for reference: about 1 ms.");
}

/**
 * What the whole-record checksum costs a query that loads records: 10,000 calls of the big store's
 * shape, a query loading the 1000 calls of one function, against `record_check` recomputed for those
 * records alone, in the same run.
 */
export async function recordLoads(): Promise<void> {
  const dir = `${WORK}sql-loads/`;
  rmSync(dir, { recursive: true, force: true });
  const store = new Sql({ url: `${dir}calls.db` });
  store.saveCalls(Array.from({ length: 10_000 }, (_, i) => bigRecord(i)));
  const template = { name: "f3" };
  const load = () => {
    const out: CallRecord[] = [];
    for (const record of store.queryCalls(template) as Iterable<CallRecord>) out.push(record);
    return out;
  };
  const records = load();
  const inline = records.map((r) => (r.inline?.length ? JSON.stringify(r.inline) : null));
  let sink = 0;
  const query = await measure("query", () => load().length, { batch: 3, batches: 9, warmup: 2 });
  const checks = await measure("checks", () => records.forEach((r, i) => (sink ^= recordCheck(r, "sqlite", inline[i]!))), {
    batch: 3,
    batches: 9,
    warmup: 2,
  });
  if (sink === 0.5) console.log(sink);
  await store.close();
  const bare = query.nsPerOp - checks.nsPerOp;
  printTable(`(d) Loading records: a query returning ${records.length} records (same run)`, [
    {
      "per record": formatNs(query.nsPerOp / records.length),
      "of which record_check": formatNs(checks.nsPerOp / records.length),
      "with / without": ratio(query.nsPerOp, bare),
    },
  ]);
}

/** An equal string that is another object (as each database read returns). */
function copy(text: string | null): string | null {
  return text === null ? null : Buffer.from(text).toString();
}

async function allKeysOf(store: Sql): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.listCalls()) keys.push(key);
  return keys;
}
