/**
 * `jobQueue()` with real components: a redis-server started here, `fleche worker` child processes (the
 * CLI, through tsx), and a FileStore cache in a temporary directory that all of them reach (a shared file
 * system, as far as the queue can tell). Tasks are built as the map builds them and run through the
 * executor directly; test/parallel/queue/map.test.ts goes through `f.map`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { ConfigError, FlecheError, persistent, withCache, type CacheLike } from "../../../src/index.js";
import { Cache } from "../../../src/cache.js";
import { Memory } from "../../../src/stores/memory.js";
import { jobQueue } from "../../../src/parallel/queue/job-queue.js";
import { referenceOf } from "../../../src/parallel/reference.js";
import { encodeTaskArgs } from "../../../src/parallel/task-args.js";
import { travellingConfig } from "../../../src/parallel/travel.js";
import { describeMetadata } from "../../../src/metadata/description.js";
import type { CallTask } from "../../../src/parallel/task.js";
import { refusesThree, slowSquare, spin } from "../../fixtures/parallel/queue-functions.js";
import { startRedis } from "../../helpers/redis.js";
import { startWorkerProcess } from "../../helpers/queue-worker.js";
import { tempDir } from "../../helpers/project.js";
import { bundleScript } from "../../helpers/bundle.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/parallel/queue-functions.ts", import.meta.url));
const redis = await startRedis();
let queues = 0;
/** A queue name of its own for each test: no test sees another's jobs or workers. */
const freshQueue = () => `q${queues++}`;

/** The task the map would send for `fn(...args)` with `cache` active. */
async function taskFor(fn: typeof slowSquare | typeof refusesThree | typeof spin, args: unknown[], cache: CacheLike): Promise<CallTask> {
  return {
    fn: await referenceOf(fn),
    args: encodeTaskArgs(args),
    key: await withCache(cache, () => (fn.digest as (...a: unknown[]) => Promise<string>)(...args)),
    cache: travellingConfig(cache),
    meta: describeMetadata([]),
  };
}

/** The events of a queue's Redis stream named `event` (BullMQ writes one `added` per job created). */
async function eventsNamed(queue: string, event: string): Promise<string[]> {
  const client = new Redis(redis.url);
  try {
    const entries = await client.xrange(`fleche:${queue}:events`, "-", "+");
    return entries.filter(([, fields]) => fields[1] === event).map(([, fields]) => fields[3]!);
  } finally {
    client.disconnect();
  }
}

/** The log lines the fixture's bodies wrote: `<event> <pid> <name> <x>`. */
function logLines(log: string): string[][] {
  try {
    return readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split(" "));
  } catch {
    return [];
  }
}

const never = () => new AbortController().signal;

describe("jobQueue with fleche worker processes", () => {
  it("runs the calls on two workers, each filed once in the shared cache", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const log = join(dir, "log");
    const workers = await Promise.all([1, 2].map(() => startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE] })));
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const xs = [1, 2, 3, 4, 5, 6, 7, 8];
      const outcomes = await Promise.all(xs.map(async (x) => executor.run(await taskFor(slowSquare, [x, 250, log], cache), never())));
      assert.deepEqual(outcomes, xs.map(() => ({ stored: true })));
      const results = await withCache(cache, () => Promise.all(xs.map((x) => slowSquare.load(x, 250, log))));
      assert.deepEqual(results.map((r) => r.square), xs.map((x) => x * x));
      // Both workers took jobs (each body waits 250 ms: one worker alone would need 2 s for the eight).
      assert.deepEqual(new Set(results.map((r) => r.pid)), new Set(workers.map((w) => w.pid)));
      const starts = logLines(log).filter(([event]) => event === "start").map(([, , , x]) => Number(x));
      assert.deepEqual(starts.sort((a, b) => a - b), xs);
      assert.equal(await cache.query({ name: "slowSquare" }).count(), xs.length);
      assert.equal((await eventsNamed(queue, "added")).length, xs.length);
    } finally {
      await executor.close();
    }
    for (const worker of workers) {
      assert.deepEqual(await worker.stop(), { code: 0, signal: null });
      assert.match(worker.stderr(), /queue q\d+: \d+ done \(0 cached\), 0 running, 0 failed\n$/);
    }
  });

  it("the same call submitted by two maps at once is one job and runs once", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const log = join(dir, "log");
    const first = jobQueue({ queue, redis: redis.url });
    const second = jobQueue({ queue, redis: redis.url });
    try {
      const xs = [1, 2, 3, 4];
      const tasks = await Promise.all(xs.map((x) => taskFor(slowSquare, [x, 200, log], cache)));
      const both = Promise.all([first, second].flatMap((executor) => tasks.map((task) => executor.run(task, never()))));
      // Both have queued every call before any worker runs: four jobs, each queued a second time.
      while ((await eventsNamed(queue, "duplicated")).length < xs.length) await sleep(10);
      assert.equal((await eventsNamed(queue, "added")).length, xs.length);
      await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args: ["--concurrency", "2"] });
      assert.deepEqual(await both, Array(8).fill({ stored: true }));
      assert.deepEqual(logLines(log).filter(([event]) => event === "start").length, xs.length);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("a call that fails rejects its own task with the worker's message; the others are filed", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const worker = await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE] });
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const settled = await Promise.allSettled([2, 3, 4].map(async (x) => executor.run(await taskFor(refusesThree, [x], cache), never())));
      assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.equal(((settled[1] as PromiseRejectedResult).reason as Error).message, "three is refused");
      assert.deepEqual(await withCache(cache, () => Promise.all([refusesThree.load(2), refusesThree.load(4)])), [2, 4]);
      // Errors are not cached: the call fails again when submitted again (a new job, not the old outcome).
      await assert.rejects(executor.run(await taskFor(refusesThree, [3], cache), never()), /three is refused/);
    } finally {
      await executor.close();
    }
    await worker.stop();
    assert.match(worker.stderr(), /failed: refusesThree: three is refused/);
    assert.match(worker.stderr(), /2 done \(0 cached\), 0 running, 2 failed\n$/);
  });

  it("a worker finds the function among its --import modules when the submitter's file does not exist there", async () => {
    const queue = freshQueue();
    const cache = persistent(join(tempDir(), "cache"));
    await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE] });
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const task = await taskFor(slowSquare, [5, 0], cache);
      const elsewhere = { ...task, fn: { ...task.fn, url: "file:///on/another/machine/tasks.js" } };
      assert.deepEqual(await executor.run(elsewhere, never()), { stored: true });
      assert.equal((await withCache(cache, () => slowSquare.load(5, 0))).square, 25);
      // Without the module, the worker says where it looked, and the task fails with that message.
      const missing = { ...task, fn: { ...task.fn, url: "file:///nowhere/tasks.js", name: "gone" } };
      await assert.rejects(executor.run(missing, never()), /Cannot find the wrapped function gone.*nowhere\/tasks\.js does not exist here/);
    } finally {
      await executor.close();
    }
  });

  it("a queue under another key prefix is served by workers given the same --prefix", async () => {
    const queue = freshQueue();
    const cache = persistent(join(tempDir(), "cache"));
    await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args: ["--prefix", "team"] });
    const executor = jobQueue({ queue, redis: redis.url, prefix: "team" });
    try {
      assert.deepEqual(await executor.run(await taskFor(slowSquare, [12, 0], cache), never()), { stored: true });
      const client = new Redis(redis.url);
      try {
        assert.ok((await client.xlen(`team:${queue}:events`)) > 0);
        assert.equal(await client.exists(`fleche:${queue}:events`), 0);
      } finally {
        client.disconnect();
      }
    } finally {
      await executor.close();
    }
  });

  it("--threads: a body that holds its thread longer than the lock runs once, in a worker thread", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const log = join(dir, "log");
    const args = ["--lock-duration", "1"];
    const threaded = await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args: [...args, "--threads"] });
    assert.match(threaded.stderr(), /1 at a time in worker threads/);
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      // Submitted as from another machine: the worker points the thread at its --import module.
      const task = await taskFor(spin, [1, 2500, log], cache);
      const run = executor.run({ ...task, fn: { ...task.fn, url: "file:///on/another/machine/tasks.js" } }, never());
      while (logLines(log).length === 0) await sleep(10);
      // A second worker, ready to take the job over if its lock lapsed while the body holds its thread.
      await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args });
      assert.deepEqual(await run, { stored: true });
      assert.deepEqual(logLines(log).map(([event, pid]) => `${event} ${pid}`), [`start ${threaded.pid}`, `end ${threaded.pid}`]);
      assert.deepEqual(await eventsNamed(queue, "stalled"), []);
      assert.equal(await withCache(cache, () => spin.load(1, 2500, log)), 1);
    } finally {
      await executor.close();
    }
    assert.deepEqual(await threaded.stop(), { code: 0, signal: null });
  });

  it("refuses a task whose cache cannot travel, before anything is queued", async () => {
    const queue = freshQueue();
    const memory = new Cache({ values: new Memory(), calls: new Memory() });
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const task = await taskFor(slowSquare, [1, 0], memory);
      assert.equal(task.cache, null);
      await assert.rejects(executor.run(task, never()), (e) => e instanceof ConfigError && /only this process can reach.*shared file system, S3 or PostgreSQL/.test(e.message));
      assert.deepEqual(await eventsNamed(queue, "added"), []);
    } finally {
      await executor.close();
    }
  });

  it("aborting takes the waiting jobs out of the queue and rejects their tasks", async () => {
    const queue = freshQueue();
    const cache = persistent(join(tempDir(), "cache"));
    const executor = jobQueue({ queue, redis: redis.url });
    const controller = new AbortController();
    try {
      const tasks = await Promise.all([1, 2, 3].map((x) => taskFor(slowSquare, [x, 0], cache)));
      const runs = tasks.map((task) => executor.run(task, controller.signal));
      while ((await eventsNamed(queue, "added")).length < 3) await sleep(10); // no worker: they wait
      controller.abort(new Error("enough"));
      for (const run of runs) await assert.rejects(run, /enough/);
      let removed: string[] = [];
      while ((removed = await eventsNamed(queue, "removed")).length < 3) await sleep(10);
      const client = new Redis(redis.url);
      try {
        assert.equal(await client.llen(`fleche:${queue}:wait`), 0);
      } finally {
        client.disconnect();
      }
      await assert.rejects(executor.run(tasks[0]!, controller.signal), /enough/); // already aborted: nothing queued
      assert.equal((await eventsNamed(queue, "added")).length, 3);
    } finally {
      await executor.close();
    }
  });

  it("a map that aborts leaves the job to another map waiting for it, which queues it again", async () => {
    const queue = freshQueue();
    const cache = persistent(join(tempDir(), "cache"));
    const leaving = jobQueue({ queue, redis: redis.url });
    const staying = jobQueue({ queue, redis: redis.url });
    const controller = new AbortController();
    try {
      const task = await taskFor(slowSquare, [6, 0], cache);
      const aborted = leaving.run(task, controller.signal);
      const kept = staying.run(task, never());
      while ((await eventsNamed(queue, "duplicated")).length < 1) await sleep(10); // both wait for the one job
      controller.abort(new Error("leaving"));
      await assert.rejects(aborted, /leaving/);
      while ((await eventsNamed(queue, "added")).length < 2) await sleep(10); // removed, and queued again
      await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE] });
      assert.deepEqual(await kept, { stored: true });
      assert.equal((await eventsNamed(queue, "removed")).length, 1);
      assert.equal((await withCache(cache, () => slowSquare.load(6, 0))).square, 36);
    } finally {
      await Promise.all([leaving.close(), staying.close()]);
    }
  });

  it("a job whose workers die twice fails with BullMQ's message", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const log = join(dir, "log");
    const args = ["--lock-duration", "1"];
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const run = executor.run(await taskFor(slowSquare, [7, 60_000, log], cache), never());
      run.catch(() => {});
      for (let killed = 0; killed < 2; killed++) {
        const worker = await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args });
        while (!logLines(log).some(([event, pid]) => event === "start" && Number(pid) === worker.pid)) await sleep(10);
        await worker.stop("SIGKILL");
      }
      await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args });
      await assert.rejects(run, /job stalled more than allowable limit/);
      assert.equal(logLines(log).length, 2); // two starts, no end: the third worker did not run it
      assert.equal(await cache.query({ name: "slowSquare" }).count(), 0);
    } finally {
      await executor.close();
    }
  });

  it("closing the submitting side rejects its waiting calls; their jobs stay queued and still run", async () => {
    const queue = freshQueue();
    const cache = persistent(join(tempDir(), "cache"));
    const executor = jobQueue({ queue, redis: redis.url });
    const run = executor.run(await taskFor(slowSquare, [11, 0], cache), never());
    while ((await eventsNamed(queue, "added")).length < 1) await sleep(10);
    const rejected = assert.rejects(run, (e) => e instanceof FlecheError && e.code === "FLECHE_CLOSED" && /queue q\d+ was closed while the call waited for a worker/.test(e.message));
    await executor.close();
    await rejected;
    const worker = await startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE] });
    while (!/1 done/.test(worker.stderr())) await sleep(20);
    assert.equal((await withCache(cache, () => slowSquare.load(11, 0))).square, 121);
  });

  it("a worker killed mid-call: another takes the job over, and the result is filed once", async () => {
    const queue = freshQueue();
    const dir = tempDir();
    const cache = persistent(join(dir, "cache"));
    const log = join(dir, "log");
    const args = ["--lock-duration", "1"];
    const workers = await Promise.all([1, 2].map(() => startWorkerProcess({ queue, redis: redis.url, imports: [FIXTURE], args })));
    const executor = jobQueue({ queue, redis: redis.url });
    try {
      const run = executor.run(await taskFor(slowSquare, [9, 1500, log], cache), never());
      while (!logLines(log).some(([event]) => event === "start")) await sleep(10);
      const victim = workers.find((w) => w.pid === Number(logLines(log)[0]![1]))!;
      assert.deepEqual(await victim.stop("SIGKILL"), { code: null, signal: "SIGKILL" });
      assert.deepEqual(await run, { stored: true });
      const survivor = workers.find((w) => w !== victim)!;
      const result = await withCache(cache, () => slowSquare.load(9, 1500, log));
      assert.deepEqual(result, { square: 81, pid: survivor.pid });
      // The killed body started and never ended; the survivor's ran to its end: one record.
      assert.deepEqual(
        logLines(log).map(([event, pid]) => `${event} ${pid}`),
        [`start ${victim.pid}`, `start ${survivor.pid}`, `end ${survivor.pid}`],
      );
      assert.equal(await cache.query({ name: "slowSquare" }).count(), 1);
    } finally {
      await executor.close();
    }
  });
});

describe("jobQueue without its optional packages", () => {
  for (const name of ["bullmq", "ioredis"]) {
    it(`names '${name}' when it is not installed, on the first task`, async () => {
      const script = await bundleScript("test/parallel/queue/children/without-package.ts", tempDir());
      const run = spawnSync(process.execPath, [script, name], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const { outcome } = JSON.parse(run.stdout) as { outcome: string };
      assert.match(outcome, new RegExp(`^FLECHE_MISSING_DEPENDENCY: jobQueue\\(q\\): the job queue needs the optional package '${name}' \\(npm install bullmq@6\\.7\\.6 ioredis@6\\.1\\.0\\)`));
    });
  }
});

describe("jobQueue options", () => {
  it("needs a queue name; unknown keys and bad values are ConfigErrors naming them", () => {
    assert.throws(() => jobQueue({} as never), (e) => e instanceof ConfigError && /queue must name the queue/.test(e.message));
    assert.throws(() => jobQueue({ queue: "q", redis_url: "x" } as never), (e) => e instanceof ConfigError && /unknown option `redis_url`.*expected one of: queue, redis, prefix, concurrency/.test(e.message));
    assert.throws(() => jobQueue({ queue: "a:b" }), /'a:b' must not contain ':'/);
    assert.throws(() => jobQueue({ queue: "q", redis: "localhost:6379" }), /redis 'localhost:6379' is not a redis:\/\/ or rediss:\/\/ URL/);
    assert.throws(() => jobQueue({ queue: "q", redis: "not a url" }), /redis 'not a url' is not a URL/);
    assert.throws(() => jobQueue({ queue: "q", prefix: "" }), /prefix must be a non-empty string/);
    assert.throws(() => jobQueue({ queue: "q", concurrency: 0 }), /concurrency must be a whole number ≥ 1, got 0/);
  });

  it("says so when Redis cannot be reached, and when it is closed", async () => {
    const executor = jobQueue({ queue: "q", redis: "redis://127.0.0.1:1" });
    assert.equal(executor.name, "queue q");
    assert.equal(executor.needsSharedCache, true);
    assert.equal(executor.concurrency, 256);
    const task = await taskFor(slowSquare, [1, 0], persistent(join(tempDir(), "cache")));
    await assert.rejects(executor.run(task, never()), (e) => e instanceof FlecheError && e.code === "FLECHE_UNAVAILABLE" && /cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/.test(e.message));
    await executor.close();
    await assert.rejects(executor.run(task, never()), (e) => e instanceof FlecheError && e.code === "FLECHE_CLOSED");
  });
});
