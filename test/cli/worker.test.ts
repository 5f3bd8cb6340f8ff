/**
 * `fleche worker` as a real child process: its usage errors, its status lines, and how it stops (the
 * first SIGTERM lets the running job finish; a second one leaves it to another worker).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { persistent, withCache } from "../../src/index.js";
import { jobQueue } from "../../src/parallel/queue/job-queue.js";
import { referenceOf } from "../../src/parallel/reference.js";
import { encodeTaskArgs } from "../../src/parallel/task-args.js";
import { travellingConfig } from "../../src/parallel/travel.js";
import { describeMetadata } from "../../src/metadata/description.js";
import type { CallTask } from "../../src/parallel/task.js";
import { slowSquare } from "../fixtures/parallel/queue-functions.js";
import { REPO, runTs, tempDir } from "../helpers/project.js";
import { startRedis } from "../helpers/redis.js";
import { startWorkerProcess } from "../helpers/queue-worker.js";

const MAIN = join(REPO, "src/cli/main.ts");
const FIXTURE = fileURLToPath(new URL("../fixtures/parallel/queue-functions.ts", import.meta.url));
const redis = await startRedis();

async function slowTask(x: number, ms: number, log: string, dir: string): Promise<CallTask> {
  const cache = persistent(join(dir, "cache"));
  return {
    fn: await referenceOf(slowSquare),
    args: encodeTaskArgs([x, ms, log]),
    key: await withCache(cache, () => slowSquare.digest(x, ms, log)),
    cache: travellingConfig(cache),
    meta: describeMetadata([]),
  };
}

/** Whether a body has started (its first log line). */
const started = (log: string) => existsSync(log) && readFileSync(log, "utf8").startsWith("start ");
const events = (log: string) => readFileSync(log, "utf8").trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" "));

describe("fleche worker", () => {
  it("usage errors exit 2 and name the option or module; a Redis it cannot reach exits 1", async () => {
    const home = tempDir();
    const cli = (...args: string[]) => runTs(MAIN, ["worker", ...args], { cwd: home, home });
    const noQueue = await cli("--import", FIXTURE);
    assert.equal(noQueue.code, 2);
    assert.match(noQueue.stderr, /required option '--queue <name>' not specified/);
    const badUrl = await cli("--queue", "q", "--redis", "localhost");
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /fleche worker: --redis 'localhost' is not a URL/);
    const badModule = await cli("--queue", "q", "--import", "./missing-tasks.js");
    assert.equal(badModule.code, 2);
    assert.match(badModule.stderr, /fleche worker: --import \.\/missing-tasks\.js: .*missing-tasks\.js/);
    const down = await cli("--queue", "q", "--redis", "redis://127.0.0.1:1", "--import", FIXTURE);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /fleche worker --queue q: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
    const badNumber = await cli("--queue", "q", "--concurrency", "0");
    assert.equal(badNumber.code, 2);
    assert.match(badNumber.stderr, /--concurrency.*expected a whole number ≥ 1/);
  });

  it("the first SIGTERM lets the running job finish and file its result, then exits 0", async () => {
    const dir = tempDir();
    const log = join(dir, "log");
    const worker = await startWorkerProcess({ queue: "finish", redis: redis.url, imports: [FIXTURE] });
    const executor = jobQueue({ queue: "finish", redis: redis.url });
    try {
      const run = executor.run(await slowTask(3, 800, log, dir), new AbortController().signal);
      while (!started(log)) await sleep(10);
      assert.deepEqual(await worker.stop("SIGTERM"), { code: 0, signal: null });
      assert.deepEqual(await run, { stored: true });
      assert.deepEqual(events(log), [`start ${worker.pid}`, `end ${worker.pid}`]);
      const lines = worker.stderr().trim().split("\n");
      assert.match(lines[0]!, new RegExp(`^fleche worker: queue finish on ${redis.url} \\(prefix fleche\\), pid ${worker.pid} on .+, 1 at a time, 1 module\\(s\\) imported$`));
      assert.ok(lines.includes("SIGTERM: stopping once the 1 running job(s) finish (SIGTERM again to stop at once)"), lines.join("\n"));
      assert.equal(lines.at(-1), "queue finish: 1 done (0 cached), 0 running, 0 failed");
    } finally {
      await executor.close();
    }
  });

  it("a second SIGTERM puts the running job back in the queue, for another worker, and exits", async () => {
    const dir = tempDir();
    const log = join(dir, "log");
    // The default lock (30 s): the job comes back because it is released, not because its lock lapsed.
    const first = await startWorkerProcess({ queue: "release", redis: redis.url, imports: [FIXTURE] });
    const executor = jobQueue({ queue: "release", redis: redis.url });
    try {
      const run = executor.run(await slowTask(4, 1500, log, dir), new AbortController().signal);
      while (!started(log)) await sleep(10);
      first.child.kill("SIGTERM");
      while (!first.stderr().includes("SIGTERM: stopping")) await sleep(10);
      assert.deepEqual(await first.stop("SIGTERM"), { code: 0, signal: null });
      assert.match(first.stderr(), /SIGTERM: stopping now; the running jobs go back to the queue for another worker/);
      const second = await startWorkerProcess({ queue: "release", redis: redis.url, imports: [FIXTURE] });
      assert.deepEqual(await run, { stored: true });
      assert.deepEqual(events(log), [`start ${first.pid}`, `start ${second.pid}`, `end ${second.pid}`]);
      const client = new Redis(redis.url);
      try {
        const stream = (await client.xrange("fleche:release:events", "-", "+")).map(([, fields]) => fields[1]);
        assert.ok(!stream.includes("stalled"), stream.join(" ")); // handed back, not found stalled
      } finally {
        client.disconnect();
      }
      await second.stop();
    } finally {
      await executor.close();
    }
  });

  it("a job fleche did not write fails, and the worker says why", async () => {
    const worker = await startWorkerProcess({ queue: "foreign", redis: redis.url, imports: [FIXTURE] });
    const { Queue } = await import("bullmq");
    const queue = new Queue("foreign", { connection: { url: redis.url }, prefix: "fleche" });
    try {
      await queue.add("mail", { to: "someone@example.com" });
      while (!worker.stderr().includes("failed: mail:")) await sleep(10);
    } finally {
      await queue.close();
    }
    await worker.stop();
    assert.match(worker.stderr(), /failed: mail: this job holds no fleche task; this worker reads format 1/);
    assert.match(worker.stderr(), /queue foreign: 0 done \(0 cached\), 0 running, 1 failed\n$/);
  });

  it("a Redis that goes away while a worker runs is waited for; the worker takes jobs again once it is back", async () => {
    const own = await startRedis();
    const dir = tempDir();
    const worker = await startWorkerProcess({ queue: "outage", redis: own.url, imports: [FIXTURE] });
    // Down until the worker has said so: its reconnection attempts are refused meanwhile (a server back
    // at once could be reconnected to before any error is seen, and the outage would go unnoticed).
    await own.down();
    for (const deadline = Date.now() + 60_000; !/\nqueue: /.test(worker.stderr()); await sleep(20)) {
      if (Date.now() > deadline) assert.fail(`the worker never reported the outage:\n${worker.stderr()}`);
    }
    await own.up();
    const executor = jobQueue({ queue: "outage", redis: own.url });
    try {
      assert.deepEqual(await executor.run(await slowTask(5, 0, join(dir, "log"), dir), new AbortController().signal), { stored: true });
    } finally {
      await executor.close();
    }
    assert.deepEqual(await worker.stop(), { code: 0, signal: null });
    assert.match(worker.stderr(), /queue outage: 1 done \(0 cached\), 0 running, 0 failed\n$/);
  });
});
