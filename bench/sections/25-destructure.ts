/**
 * Issue 9's numbers: a function returning 100,000 small records (about 5 MB as JSON), stored in a default
 * FileStore, against the same store splitting every part (`minPartSize: 0`, the old default) and with
 * destructuring off (`remainingDepth: Infinity`). Targets for the default: ≤ 4 files, ≤ 1.1× the JSON
 * size on disk, a hit ≤ 2× a plain `JSON.parse` of the same data (all measured in this run).
 */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Cache, FileStore, cache, fleche, type FileStoreOptions } from "../../src/index.js";
import { WORK } from "../compile.js";
import { formatNs, median, printTable, ratio } from "../harness.js";

const MODULE = "fleche-bench:destructure";
const RECORDS = 100_000;
const HITS = 7;

export default async function destructure(): Promise<void> {
  const work = join(WORK, "destructure");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const rows = records(RECORDS);
  const json = JSON.stringify(rows);
  const table = [];
  const parses: number[] = [];
  for (const [label, options, hits] of [
    ["default (minPartSize 64 KiB)", {}, HITS],
    ["destructuring off (remainingDepth Infinity)", { remainingDepth: Infinity }, HITS],
    ["every part split (minPartSize 0, the old default)", { minPartSize: 0 }, 1],
  ] as const) {
    const root = join(work, `store-${table.length}`);
    const { save, hit, files, disk } = await run(root, rows, options, hits);
    // JSON.parse is timed right after each store's hits, so a ratio compares times taken moments apart
    // (a shared machine's load changes by the minute).
    const parse = timed(HITS, () => JSON.parse(json));
    parses.push(parse);
    table.push({
      store: label,
      files: String(files),
      "on disk": `${(disk / 1e6).toFixed(2)} MB`,
      "vs JSON size": ratio(disk, Buffer.byteLength(json)),
      save: formatNs(save),
      hit: formatNs(hit),
      "hit vs JSON.parse": ratio(hit, parse),
    });
    rmSync(root, { recursive: true, force: true });
  }
  const parse = median(parses);
  table.push({ store: "JSON.parse of the same data (median)", files: "", "on disk": `${(Buffer.byteLength(json) / 1e6).toFixed(2)} MB`, "vs JSON size": "1.00×", save: "", hit: formatNs(parse), "hit vs JSON.parse": "1.00×" });
  printTable(`${RECORDS.toLocaleString("en")} small records, FileStore (v8): targets ≤ 4 files, ≤ 1.10× JSON size, hit ≤ 2.00× JSON.parse`, table);
  rmSync(work, { recursive: true, force: true });
}

/** `n` records of about 50 bytes of JSON each. */
function records(n: number): object[] {
  return Array.from({ length: n }, (_, i) => ({ id: i, name: `item-${i}`, score: (i * 37) % 1000, active: i % 3 === 0 }));
}

/** Store the records through a cached function on a fresh store, then time hits. */
async function run(root: string, rows: object[], options: Omit<FileStoreOptions, "root">, hits: number) {
  const store = new FileStore({ root, ...options });
  const c = new Cache({ values: store, calls: store });
  const produce = fleche((n: number) => (n === rows.length ? rows : []), { name: "produce", module: MODULE, params: ["n"] });
  using _ = cache(c);
  const start = performance.now();
  await produce(rows.length);
  const save = (performance.now() - start) * 1e6;
  const hit = await timedAsync(hits, () => produce(rows.length));
  let files = 0;
  let disk = 0;
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const stats = statSync(join(root, name));
    if (!stats.isFile()) continue;
    files++;
    disk += stats.blocks * 512;
  }
  return { save, hit, files, disk };
}

/** Median nanoseconds of `n` runs of `op`. */
function timed(n: number, op: () => unknown): number {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    op();
    samples.push((performance.now() - start) * 1e6);
  }
  return median(samples);
}

async function timedAsync(n: number, op: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await op();
    samples.push((performance.now() - start) * 1e6);
  }
  return median(samples);
}
