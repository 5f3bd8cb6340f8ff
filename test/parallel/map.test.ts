/**
 * `f.map` over real worker threads (a piscina pool) and real caches: FileStore and SQLite caches in
 * temporary directories, and memory caches. Bodies append `<threadId> <pid> <name> <arg>` to a log file,
 * so the tests see where and how often they ran; a counting executor around the pool sees what was
 * dispatched.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import { Cache, D, FileStore, FlecheError, Memory, Runtime, cacheFromConfig, digest, meta, persistent, progressBar, tags, threads, withCache, withTags } from "../../src/index.js";
import type { CacheLike, Executor, MapOutcome, MapProgress } from "../../src/index.js";
import { block, doubled, failsOnThree, hiddenFunction, range, square, squarePlusOne, throwsKind, total, waitFor } from "../fixtures/parallel/functions.js";
import { tempDirs } from "../helpers/temp.js";
import { metadataFromNames } from "../../src/store-kit.js";
import { freshDatabase } from "../helpers/postgres.js";

const temp = tempDirs("parallel-map");

/** A new, existing directory. */
function scratch(): string {
  const dir = temp();
  mkdirSync(dir, { recursive: true });
  return dir;
}
const pool = threads({ size: 2 });
after(() => pool.close());

/** The pool, counting the tasks it is given. */
function counting(): Executor & { readonly keys: string[] } {
  const keys: string[] = [];
  return {
    name: pool.name,
    concurrency: pool.concurrency,
    needsSharedCache: false,
    keys,
    run(task, signal) {
      keys.push(task.key);
      return pool.run(task, signal);
    },
    close: () => pool.close(),
  };
}

/** The log lines as [threadId, pid, name, arg]. */
function runs(log: string): string[][] {
  return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((line) => line.split(" ")) : [];
}

function fileCache(): CacheLike {
  return persistent(temp());
}

function memoryCache(): CacheLike {
  return new Cache({ values: new Memory(), calls: new Memory() });
}

const remote = (pattern: RegExp) => (error: unknown) => error instanceof FlecheError && error.code === "FLECHE_REMOTE" && pattern.test(error.message);

describe("f.map on worker threads", () => {
  it("returns results in input order, runs the misses in worker threads and commits them there", async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    const xs = [5, 3, 8, 1, 9, 2];
    const results = await withCache(cache, () => square.map(xs.map((x) => [x, log]), { executor: pool }));
    assert.deepEqual(results, [25, 9, 64, 1, 81, 4]);
    const ran = runs(log);
    assert.deepEqual(ran.map((r) => Number(r[3])).sort((a, b) => a - b), [1, 2, 3, 5, 8, 9]);
    assert.ok(ran.every(([thread]) => Number(thread) !== threadId), "every body ran in a worker thread");
    const reopened = cacheFromConfig(cache.toConfig()); // what the workers stored, read afresh
    for (const x of xs) assert.equal(await withCache(reopened, () => square.load(x)), x * x);
  });

  it("serves hits in the calling thread without dispatching them", async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    await withCache(cache, () => Promise.all([square(1, log), square(2, log)])); // stored by direct calls here
    const executor = counting();
    const results = await withCache(cache, () => square.map([[1, log], [2, log], [3, log]], { executor }));
    assert.deepEqual(results, [1, 4, 9]);
    assert.deepEqual(executor.keys, [await withCache(cache, () => square.digest(3))], "only the miss was dispatched");
    const again = counting();
    assert.deepEqual(await withCache(cache, () => square.map([[3, log], [1, log]], { executor: again })), [9, 1]);
    assert.deepEqual(again.keys, [], "a map of hits dispatches nothing");
    assert.deepEqual(runs(log).map((r) => r[3]), ["1", "2", "3"], "each body ran once");
  });

  it("takes readonly argument lists (tuples built `as const` ahead of the call)", async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    const seven = [7, log] as const;
    const list: ReadonlyArray<readonly [number, string]> = [seven, [6, log]];
    assert.deepEqual(await withCache(cache, () => square.map(list, { executor: pool })), [49, 36]);
    // Never called: the compiler must still refuse arguments of the wrong types (`npm test` typechecks this).
    // @ts-expect-error "7" is not a number
    const refused = () => square.map([["7", 7]]);
    assert.equal(typeof refused, "function");
  });

  it("runs the same call twice in one map once", async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    const executor = counting();
    const results = await withCache(cache, () => square.map([[4, log], [4, log], [5, log], [4, log]], { executor }));
    assert.deepEqual(results, [16, 16, 25, 16]);
    assert.equal(executor.keys.length, 2);
    assert.deepEqual(runs(log).map((r) => r[3]).sort(), ["4", "5"]);
  });

  it("runs a call once when two maps dispatch it to two threads at once (the cache's lease)", async () => {
    const cache = fileCache();
    const flag = join(scratch(), "flag");
    const log = join(scratch(), "log");
    const first = withCache(cache, () => waitFor.map([[flag, log]], { executor: pool }));
    const other = threads({ size: 1 });
    after(() => other.close());
    const second = withCache(cache, () => waitFor.map([[flag, log]], { executor: other }));
    while (runs(log).length === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // one thread holds the lease
    writeFileSync(flag, "once");
    assert.deepEqual(await Promise.all([first, second]), [["once"], ["once"]]);
    assert.equal(runs(log).length, 1, "the other thread waited for the record instead of running the body");
  });

  it("yields outcomes in completion order when iterated", async () => {
    const cache = fileCache();
    await withCache(cache, () => square(6)); // a hit, settled before the miss can finish
    const flag = join(scratch(), "flag");
    const run = withCache(cache, () => waitFor.map([[flag]], { executor: pool }));
    const mixed = withCache(cache, () => square.map([[7], [6]], { executor: pool }));
    const order: number[] = [];
    for await (const outcome of mixed) order.push(outcome.index);
    assert.equal(order[0], 1, "the hit (entry 1) settles first");
    const seen: MapOutcome<string>[] = [];
    setTimeout(() => writeFileSync(flag, "released"), 50);
    for await (const outcome of run) seen.push(outcome);
    assert.deepEqual(seen, [{ index: 0, status: "fulfilled", value: "released" }]);
  });

  it("rejects only the failing entry; the others settle and are stored", async () => {
    const cache = fileCache();
    const run = withCache(cache, () => failsOnThree.map([[1], [3], [4]], { executor: pool }));
    await assert.rejects(run.entries[1]!, /three is refused/);
    assert.equal(await run.entries[0], 1);
    assert.equal(await run.entries[2], 4);
    await assert.rejects(Promise.resolve(run), /three is refused/);
    const outcomes: MapOutcome<number>[] = [];
    for await (const outcome of run) outcomes.push(outcome);
    assert.deepEqual(outcomes.map((o) => [o.index, o.status]).sort(), [[0, "fulfilled"], [1, "rejected"], [2, "fulfilled"]]);
    assert.equal(await withCache(cache, () => failsOnThree.contains(4)), true);
    assert.equal(await withCache(cache, () => failsOnThree.contains(3)), false);
  });

  it("reports progress counts", async () => {
    const cache = fileCache();
    await withCache(cache, () => square(10));
    const counted: MapProgress[] = [];
    await withCache(cache, () => square.map([[10], [12], [12]], { executor: pool, onProgress: (p) => counted.push(p) }));
    assert.deepEqual(counted[0], { total: 3, done: 1, cached: 1, running: 1, failed: 0 }, "the hit, then the miss dispatched as soon as found");
    assert.ok(counted.some((p) => p.running === 2), "the two entries of the one miss ran together");
    assert.deepEqual(counted.at(-1), { total: 3, done: 3, cached: 1, running: 0, failed: 0 });
    const failing: MapProgress[] = [];
    await Promise.allSettled(withCache(cache, () => failsOnThree.map([[3], [11]], { executor: pool, onProgress: (p) => failing.push(p) })).entries);
    assert.deepEqual(failing.at(-1), { total: 2, done: 1, cached: 0, running: 0, failed: 1 });
  });

  it("fills a memory cache in the calling thread from bodies run in workers, with metadata", async () => {
    const cache = memoryCache();
    const log = join(scratch(), "log");
    const results = await withCache(cache, () => withTags({ sweep: "memory" }, () => square.map([[2, log], [3, log]], { executor: pool })));
    assert.deepEqual(results, [4, 9]);
    assert.ok(runs(log).every(([thread]) => Number(thread) !== threadId), "the bodies ran in worker threads");
    const record = await cache.loadRecord(await withCache(cache, () => square.digest(3)));
    assert.deepEqual(record?.metadata.tags, { sweep: "memory" });
    assert.equal(typeof record?.metadata.runtime?.walltime, "number");
    const executor = counting();
    assert.deepEqual(await withCache(cache, () => square.map([[2], [3]], { executor })), [4, 9]);
    assert.deepEqual(executor.keys, [], "now hits");
  });

  it("runs nested cached calls in the worker against the travelled cache", async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    assert.deepEqual(await withCache(cache, () => squarePlusOne.map([[6, log]], { executor: pool })), [37]);
    const ran = runs(log);
    assert.deepEqual(ran.map((r) => r[2]), ["squarePlusOne", "square"]);
    assert.equal(ran[0]![0], ran[1]![0], "both in the same worker thread");
    assert.equal(await withCache(cache, () => square.load(6)), 36, "the nested call was stored in the travelled cache");
  });

  it("records the active metadata in calls committed by workers", async () => {
    const cache = fileCache();
    using _ = tags({ sweep: "files" });
    await withCache(cache, () => square.map([[21]], { executor: pool }));
    const record = await cache.loadRecord(await withCache(cache, () => square.digest(21)));
    assert.deepEqual(record?.metadata.tags, { sweep: "files" });
  });

  it("rebuilds providers registered by name in the workers, from the module that defines the function", async () => {
    const cache = fileCache();
    using _ = meta(...metadataFromNames(["Runtime", "FixtureThread"]));
    await withCache(cache, () => square.map([[22]], { executor: pool }));
    const record = await cache.loadRecord(await withCache(cache, () => square.digest(22)));
    const recorded = record?.metadata.thread?.id;
    assert.equal(typeof recorded, "number");
    assert.notEqual(recorded, threadId, "recorded in the worker thread that committed the call");
  });

  it("works with a SQLite cache", async () => {
    const dir = temp();
    const url = `sqlite:///${join(dir, "calls.db")}`;
    const cache = cacheFromConfig({ values: { type: "sql", url }, calls: { type: "sql", url } });
    assert.deepEqual(await withCache(cache, () => square.map([[31], [32]], { executor: pool })), [961, 1024]);
    assert.equal(await withCache(cache, () => square.load(32)), 1024);
    await cache.close();
  });

  it("works with a PostgreSQL cache", async () => {
    const url = await freshDatabase();
    const cache = cacheFromConfig({ values: { type: "sql", url }, calls: { type: "sql", url } });
    const log = join(scratch(), "log");
    assert.deepEqual(await withCache(cache, () => square.map([[33, log], [34, log], [33, log]], { executor: pool })), [1089, 1156, 1089]);
    assert.ok(runs(log).every(([thread]) => Number(thread) !== threadId));
    const reopened = cacheFromConfig(cache.toConfig());
    assert.equal(await withCache(reopened, () => square.load(34)), 1156);
    await Promise.all([cache.close(), reopened.close()]);
  });

  it("rejects the calls of a store signed with keys given in code (they never travel), naming the missing key", async () => {
    const store = new FileStore({ root: temp(), secretKey: Buffer.alloc(32, 7) });
    const cache = new Cache({ values: store, calls: store });
    const run = withCache(cache, () => square.map([[35]], { executor: pool }));
    await assert.rejects(Promise.resolve(run), (error: unknown) => error instanceof FlecheError && error.code === "FLECHE_CONFIG" && /FLECHE_SECRET_KEY/.test(error.message));
  });

  it("passes D() references, keyed by the value they name", async () => {
    const cache = fileCache();
    const hex = await withCache(cache, async () => digest(await range(5)));
    assert.deepEqual(await withCache(cache, () => total.map([[D(hex.slice(0, 12)) as never], [[1, 2]]], { executor: pool })), [10, 3]);
    assert.equal(await withCache(cache, () => total.contains([0, 1, 2, 3, 4])), true);
  });

  it("round-trips typed arrays, with files and with memory", async () => {
    for (const cache of [fileCache(), memoryCache()]) {
      const [result] = await withCache(cache, () => doubled.map([[new Float64Array([1, 2.5, -3])]], { executor: pool }));
      assert.ok(result instanceof Float64Array);
      assert.deepEqual([...result], [2, 5, -6]);
    }
  });

  it("names an unexported function before dispatching anything", async () => {
    const executor = counting();
    const run = withCache(fileCache(), () => hiddenFunction().map([[1], [2]], { executor }));
    await assert.rejects(run.entries[0]!, remote(/hidden.*does not export it/));
    await assert.rejects(Promise.resolve(run), remote(/hidden/));
    assert.deepEqual(executor.keys, []);
  });

  it("refuses a cache that cannot travel to an executor that needs a shared one, before dispatching", async () => {
    const executor = { ...counting(), needsSharedCache: true, name: "queue test" };
    await assert.rejects(Promise.resolve(withCache(memoryCache(), () => square.map([[1]], { executor }))), remote(/queue test returns results through the cache/));
  });

  it("rejects unknown options and bad values, naming them", () => {
    assert.throws(() => square.map([[1]], { concurency: 2 } as never), /square\.map\(\).*concurency/);
    assert.throws(() => square.map([[1]], { concurrency: 0 }), /`concurrency` must be a whole number/);
    assert.throws(() => square.map([1] as never), /entry 0 must be an array of arguments/);
    assert.throws(() => threads({ size: 1.5 }), /`size` must be a whole number/);
  });

  it("rebuilds errors thrown in workers: a FlecheError keeps its code, others their name and code", async () => {
    const run = withCache(fileCache(), () => throwsKind.map([["range"], ["fleche"]], { executor: pool }));
    const [range, query] = await Promise.allSettled(run.entries);
    const rangeError = (range as PromiseRejectedResult).reason as Error & { code?: string };
    assert.deepEqual([rangeError.name, rangeError.message, rangeError.code], ["RangeError", "out of range", "E_RANGE"]);
    assert.match(rangeError.stack ?? "", /throwsKind/);
    const flecheError = (query as PromiseRejectedResult).reason;
    assert.ok(flecheError instanceof FlecheError);
    assert.equal(flecheError.code, "FLECHE_QUERY");
  });

  it("runs a call it cannot key as a plain call in the calling thread", async () => {
    const executor = counting();
    const log = join(scratch(), "log");
    const [result] = await withCache(fileCache(), () => square.map([[new WeakMap() as never, log]], { executor }));
    assert.ok(Number.isNaN(result));
    assert.deepEqual(executor.keys, []);
    assert.equal(Number(runs(log)[0]![0]), threadId, "the body ran here");
  });

  it("names a metadata provider that cannot travel, before dispatching", async () => {
    const executor = counting();
    using _ = meta(Runtime(), { name: "handmade", pre: () => ({ at: 1 }) });
    const run = withCache(fileCache(), () => square.map([[50]], { executor }));
    await assert.rejects(Promise.resolve(run), remote(/"handmade" cannot travel/));
    assert.deepEqual(executor.keys, []);
    // With a cache that stays home, metadata is recorded here: any provider works.
    const cache = memoryCache();
    assert.deepEqual(await withCache(cache, () => square.map([[50]], { executor })), [2500]);
    const record = await cache.loadRecord(await withCache(cache, () => square.digest(50)));
    assert.deepEqual(record?.metadata.handmade, { at: 1 });
  });

  it("keeps nested cached calls of a worker out of a memory cache that stays home", async () => {
    const cache = memoryCache();
    assert.deepEqual(await withCache(cache, () => squarePlusOne.map([[9]], { executor: pool })), [82]);
    assert.equal(await withCache(cache, () => squarePlusOne.contains(9)), true);
    assert.equal(await withCache(cache, () => square.contains(9)), false, "square(9) was cached in the worker's own memory cache");
  });

  it("refuses tasks once its pool is closed", async () => {
    const own = threads({ size: 1 });
    assert.deepEqual(await withCache(fileCache(), () => square.map([[60]], { executor: own })), [3600]);
    await own.close();
    await assert.rejects(Promise.resolve(withCache(fileCache(), () => square.map([[61]], { executor: own }))), /this pool is closed/);
  });

  it("draws progress as plain lines when the stream is not a terminal", async () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    await withCache(fileCache(), () => square.map([[70], [71], [72]], { executor: pool, onProgress: progressBar("sweep", stream) }));
    assert.equal(written.at(-1), "sweep: 3/3 (cached 0 · running 0 · failed 0)\n");
    assert.ok(written.length <= 3, "at most a line a second, plus the last");
  });

  it("dispatches nothing when the signal is aborted already", async () => {
    const executor = counting();
    const seen: MapProgress[] = [];
    const run = withCache(fileCache(), () => square.map([[80], [81]], { executor, signal: AbortSignal.abort(new Error("not now")), onProgress: (p) => seen.push(p) }));
    const outcomes = await Promise.allSettled(run.entries);
    assert.deepEqual(outcomes.map((o) => o.status === "rejected" && String(o.reason)), ["Error: not now", "Error: not now"]);
    assert.deepEqual(executor.keys, []);
    assert.deepEqual(seen.at(-1), { total: 2, done: 0, cached: 0, running: 0, failed: 2 });
  });

  it("stops dispatching and ends a running task when aborted", { timeout: 60_000 }, async () => {
    const cache = fileCache();
    const log = join(scratch(), "log");
    const controller = new AbortController();
    const executor = counting();
    // Each call would block its thread for ten minutes; only ending the thread stops it.
    const run = withCache(cache, () => block.map([[600_000, log], [600_001, log], [600_002, log]], { executor, concurrency: 1, signal: controller.signal }));
    while (runs(log).length === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // the first is running in a worker
    controller.abort(new Error("enough"));
    const outcomes = await Promise.allSettled(run.entries);
    assert.ok(outcomes.every((o) => o.status === "rejected"));
    assert.equal((outcomes[0] as PromiseRejectedResult).reason.name, "AbortError", "the running task was aborted");
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /enough/, "the queued ones reject with the signal's reason");
    assert.equal(executor.keys.length, 1, "the queued calls were never dispatched");
    assert.equal(runs(log).length, 1);
    assert.equal(await withCache(cache, () => block.contains(600_000)), false);
    // The pool still works: the blocked thread was ended, not left running for ten minutes.
    assert.deepEqual(await withCache(cache, () => square.map([[40], [41]], { executor: pool })), [1600, 1681]);
  });

  it("waits for another process that holds the call's lease instead of running it again", { timeout: 60_000 }, async () => {
    const root = temp();
    const flag = join(scratch(), "flag");
    const log = join(scratch(), "log");
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../fixtures/parallel/lease-holder.ts", import.meta.url)), root, flag, log], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    while (runs(log).length === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // the child holds the lease now
    const run = withCache(persistent(root), () => waitFor.map([[flag, log], [flag, log]], { executor: pool }));
    setTimeout(() => writeFileSync(flag, "from the holder"), 300);
    assert.deepEqual(await run, ["from the holder", "from the holder"]);
    assert.equal(await exited, 0);
    assert.equal(stdout, JSON.stringify("from the holder"));
    assert.equal(runs(log).length, 1, "the body ran once, in the child");
    assert.notEqual(Number(runs(log)[0]![1]), process.pid);
  });

  /** Run the sweep script fixture in `style`; its output lines, parsed. */
  async function sweepScript(style: "main" | "await"): Promise<unknown[]> {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../fixtures/parallel/sweep-script.ts", import.meta.url))], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SWEEP_ROOT: temp(), SWEEP_STYLE: style },
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    assert.equal(await new Promise((resolve) => child.on("exit", resolve)), 0);
    return stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown);
  }

  it("refuses a map started by a task's module while a worker imports it (no endless workers)", { timeout: 60_000 }, async () => {
    const lines = await sweepScript("main");
    assert.deepEqual(lines.at(-1), [3, 6], "the sweep in the main thread ran");
    const refused = lines.slice(0, -1) as { code: string; message: string }[];
    assert.ok(refused.length >= 1, "the workers' imports of the script tried to map");
    for (const r of refused) {
      assert.equal(r.code, "FLECHE_REMOTE");
      assert.match(r.message, /triple\.map\(\) was called while a worker imported the module.*isMainThread/);
    }
  });

  it("names a function whose module awaits its own map while loading, instead of hanging", { timeout: 60_000 }, async () => {
    const [only, ...rest] = (await sweepScript("await")) as { code: string; message: string }[];
    assert.deepEqual(rest, []);
    assert.equal(only!.code, "FLECHE_REMOTE");
    assert.match(only!.message, /Cannot run triple in a worker: its module .*sweep-script\.ts has not finished loading/);
  });

  it("lets the process end after a map without closing the pool", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("../fixtures/parallel/map-and-exit.ts", import.meta.url)), temp()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    assert.equal(await new Promise((resolve) => child.on("exit", resolve)), 0);
    assert.equal(stdout, "[1,4,9]");
  });
});
