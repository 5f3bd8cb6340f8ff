/**
 * The cache the UI, stats and explain benchmarks run on: 1,000,000 call records in SQLite (ten
 * functions f0..f9 of 100,000 calls each, small arguments and results inline, one stored array result
 * every 10,000 calls) with FileStore values. Built once with bulk transactions (`Sql.saveCalls`) and
 * kept under the system temp directory between runs (`FLECHE_BENCH_UI_DIR` overrides where).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Cache, FileStore, Sql, digest, type CallRecord } from "../src/index.js";

/** Records in the big cache. */
export const UI_RECORDS = 1_000_000;
/** Functions f0..f9. */
export const UI_FUNCTIONS = 10;
const T0 = 1_760_000_000;

/** Where the cache lives: `values/` and `calls.db`. */
export function uiCacheDir(): string {
  return process.env.FLECHE_BENCH_UI_DIR ?? join(tmpdir(), "fleche-bench-ui-v1");
}

/** The identity every record of the big cache has (for `f.explain` probes). */
export const UI_IDENTITY = { module: "bench:ui", version: 1 } as const;

/** Record `i`: f(i % 10), x = i (unique), y = i % 1000, result 2i inline, or a stored array every 10,000th. */
export function uiRecord(i: number, stored?: string): CallRecord {
  const stop = T0 + i * 0.25;
  const wall = 0.001 + ((i * 7919) % 997) / 1000;
  const y = i % 1000;
  const inline: [string, number][] = [
    [digest(i), i],
    [digest(y), y],
  ];
  if (!stored) inline.push([digest(i * 2), i * 2]);
  return {
    key: digest(["bench-ui", i]),
    name: `f${i % UI_FUNCTIONS}`,
    module: UI_IDENTITY.module,
    version: UI_IDENTITY.version,
    codeDigest: null,
    arguments: { x: digest(i), y: digest(y) },
    result: stored ?? digest(i * 2),
    metadata: {
      runtime: { timestart: stop - wall, timestop: stop, walltime: wall, cputime: wall * 0.9, systime: 0.001 },
      tags: { project: i % 3 ? "alpha" : "beta", run: i % 100 },
    },
    inline,
  };
}

/** The config file naming the cache (for `fleche --config DIR/fleche.toml`). */
function writeConfig(dir: string): void {
  writeFileSync(
    join(dir, "fleche.toml"),
    `[default]\ncache = "big"\n\n[big]\nvalues = { type = "file", root = ${JSON.stringify(join(dir, "values"))} }\ncalls = { type = "sql", url = ${JSON.stringify(join(dir, "calls.db"))} }\n`,
  );
}

/** Build the cache unless it is there; returns its directory (with a fleche.toml naming it). */
export async function ensureUiCache(log: (line: string) => void = console.log): Promise<string> {
  const dir = uiCacheDir();
  if (existsSync(join(dir, "calls.db"))) {
    writeConfig(dir);
    return dir;
  }
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`Building ${UI_RECORDS.toLocaleString()} call records in ${dir} (once; reused by later runs)…`);
  const started = performance.now();
  const values = new FileStore({ root: join(partial, "values") });
  const calls = new Sql({ url: join(partial, "calls.db") });
  const chunk = 10_000;
  for (let lo = 0; lo < UI_RECORDS; lo += chunk) {
    // One stored array result per chunk, so the stats have value bytes to attribute.
    const array = new Float64Array(1000).map((_, k) => lo + k);
    const stored = await values.saveValue(array);
    calls.saveCalls(Array.from({ length: chunk }, (_, k) => uiRecord(lo + k, k === 0 ? stored : undefined)));
    if ((lo / chunk) % 20 === 19) log(`  ${(lo + chunk).toLocaleString()} records, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await calls.close();
  renameSync(partial, dir);
  writeConfig(dir);
  return dir;
}

/** The big cache, opened. */
export function openUiCache(dir: string): Cache {
  return new Cache({ values: new FileStore({ root: join(dir, "values") }), calls: new Sql({ url: join(dir, "calls.db") }) });
}
