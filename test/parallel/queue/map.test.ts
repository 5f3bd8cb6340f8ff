/**
 * `f.map(list, { executor: jobQueue(...) })` end to end: a redis-server started here, two `fleche worker`
 * child processes, and a cache all of them reach: files in a temporary directory (a shared file system as
 * far as anyone can tell), and FileStore values with PostgreSQL call records.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { Cache, FileStore, FlecheError, Sql, persistent, withCache, type CacheLike } from "../../../src/index.js";
import { Memory } from "../../../src/stores/memory.js";
import { jobQueue } from "../../../src/parallel/queue/job-queue.js";
import type { MapProgress } from "../../../src/parallel/map-types.js";
import { nothing, slowSquare } from "../../fixtures/parallel/queue-functions.js";
import { startRedis } from "../../helpers/redis.js";
import { startWorkerProcess, type WorkerProcess } from "../../helpers/queue-worker.js";
import { tempDir } from "../../helpers/project.js";
import { dropDatabases, freshDatabase } from "../../helpers/postgres.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/parallel/queue-functions.ts", import.meta.url));
const redis = await startRedis();
const QUEUE = "sweep";
const workers: WorkerProcess[] = await Promise.all([1, 2].map(() => startWorkerProcess({ queue: QUEUE, redis: redis.url, imports: [FIXTURE] })));
const executor = jobQueue({ queue: QUEUE, redis: redis.url });
after(() => executor.close());
after(dropDatabases);

/** How many jobs the queue has created so far (BullMQ writes one `added` event per job). */
async function jobsAdded(): Promise<number> {
  const client = new Redis(redis.url);
  try {
    return (await client.xrange(`fleche:${QUEUE}:events`, "-", "+")).filter(([, fields]) => fields[1] === "added").length;
  } finally {
    client.disconnect();
  }
}

function starts(log: string): number[] {
  return readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("start "))
    .map((l) => Number(l.split(" ")[3]))
    .sort((a, b) => a - b);
}

/** The shared caches the workers can reach, each made fresh. */
const caches: [string, () => Promise<CacheLike>][] = [
  ["files in a shared directory", async () => persistent(join(tempDir(), "cache"))],
  ["FileStore values, PostgreSQL calls", async () => new Cache({ values: new FileStore({ root: join(tempDir(), "values") }), calls: new Sql({ url: await freshDatabase() }) })],
];

for (const [label, makeCache] of caches) {
  describe(`f.map on a job queue: ${label}`, () => {
    it("splits the calls across both workers; results in input order", async () => {
      const cache = await makeCache();
      const log = join(tempDir(), "log");
      const xs = [5, 3, 8, 1, 9, 2, 7, 4, 6, 10];
      const progress: MapProgress[] = [];
      const results = await withCache(cache, () => slowSquare.map(xs.map((x) => [x, 200, log] as const), { executor, onProgress: (p) => progress.push(p) }));
      assert.deepEqual(results.map((r) => r.square), xs.map((x) => x * x));
      assert.deepEqual(new Set(results.map((r) => r.pid)), new Set(workers.map((w) => w.pid)));
      assert.deepEqual(starts(log), [...xs].sort((a, b) => a - b));
      assert.deepEqual(progress.at(-1), { total: 10, done: 10, cached: 0, running: 0, failed: 0 });
      await cache.close();
    });

    it("never queues calls that are in the cache already", async () => {
      const cache = await makeCache();
      const log = join(tempDir(), "log");
      await withCache(cache, async () => {
        for (const x of [1, 2, 3]) await slowSquare(x, 0, log); // computed here, in this process
      });
      const before = await jobsAdded();
      const progress: MapProgress[] = [];
      const results = await withCache(cache, () => slowSquare.map([1, 2, 3, 4, 5].map((x) => [x, 0, log] as const), { executor, onProgress: (p) => progress.push(p) }));
      assert.deepEqual(results.map((r) => r.square), [1, 4, 9, 16, 25]);
      assert.deepEqual(results.slice(0, 3).map((r) => r.pid), [process.pid, process.pid, process.pid]);
      assert.equal((await jobsAdded()) - before, 2);
      assert.deepEqual(starts(log), [1, 2, 3, 4, 5]);
      assert.deepEqual(progress.at(-1), { total: 5, done: 5, cached: 3, running: 0, failed: 0 });
      // All cached now: a second map queues nothing.
      await withCache(cache, () => slowSquare.map([1, 2, 3, 4, 5].map((x) => [x, 0, log] as const), { executor }));
      assert.equal((await jobsAdded()) - before, 2);
      await cache.close();
    });

    it("two maps of the same calls at once: each call runs once", async () => {
      const cache = await makeCache();
      const log = join(tempDir(), "log");
      const list: [number, number, string][] = [1, 2, 3, 4, 5, 6].map((x) => [x, 150, log]);
      const [a, b] = await withCache(cache, () => Promise.all([slowSquare.map(list, { executor }), slowSquare.map(list, { executor })]));
      assert.deepEqual(a, b);
      assert.deepEqual(starts(log), [1, 2, 3, 4, 5, 6]);
      await cache.close();
    });
  });
}

describe("f.map on a job queue: what cannot go", () => {
  it("a memory cache is refused before anything is queued", async () => {
    const before = await jobsAdded();
    const memory = new Cache({ values: new Memory(), calls: new Memory() });
    const run = withCache(memory, () => slowSquare.map([[1, 0]], { executor }));
    await assert.rejects(run.entries[0]!, (e) => e instanceof FlecheError && /queue sweep returns results through the cache/.test(e.message));
    assert.equal(await jobsAdded(), before);
  });

  it("a result the cache does not store leaves nothing to load: that entry rejects, saying so", async () => {
    const cache = persistent(join(tempDir(), "cache"));
    const run = withCache(cache, () => nothing.map([[1]], { executor }));
    await assert.rejects(run.entries[0]!, (e) => e instanceof FlecheError && e.code === "FLECHE_REMOTE" && /reports the call \w+ stored, but the active cache has no result/.test(e.message));
  });
});
