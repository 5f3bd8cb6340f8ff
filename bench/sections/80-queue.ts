/**
 * Issue 15's queue number: what the BullMQ path costs per call beyond the body (target ≤ 2 ms on
 * loopback). A map of N calls of a trivial body (`increment`, x + 1) runs through a job queue on a
 * redis-server started here, to one and to two `fleche worker` processes, over a FileStore cache they
 * share; the baseline is the same calls, one after another, in this process (lookup, body, commit: what
 * a worker does for each job too). Every call is a miss (fresh arguments each round). The overhead is the
 * queue's time per call minus the in-process time per call.
 *
 * On this 2-core machine the submitter, redis-server and the workers share the two cores, so two
 * workers show contention more than parallelism for a body this small.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { persistent, withCache } from "../../src/index.js";
import { jobQueue } from "../../src/parallel/queue/job-queue.js";
import { spawnRedis } from "../../test/helpers/redis.js";
import { increment } from "../children/queue-tasks.js";
import { WORK } from "../compile.js";
import { formatNs, median, printTable } from "../harness.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TASKS = join(REPO, "bench/children/queue-tasks.ts");
const CALLS = 1000;
const ROUNDS = 5;

export default async function queue(): Promise<void> {
  const work = join(WORK, "queue");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const redis = await spawnRedis();
  let next = 0;
  /** CALLS fresh arguments: every call a miss. */
  const fresh = () => Array.from({ length: CALLS }, () => [next++] as [number]);
  const cache = persistent(join(work, "cache"));
  try {
    const inProcess: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const list = fresh();
      const start = performance.now();
      await withCache(cache, async () => {
        for (const [x] of list) await increment(x);
      });
      inProcess.push(((performance.now() - start) * 1e6) / CALLS);
    }
    const rows = [{ path: "in this process, one after another", "per call": formatNs(median(inProcess)), "beyond in-process": "", target: "" }];
    for (const count of [1, 2]) {
      const name = `bench${count}`;
      const workers = await Promise.all(Array.from({ length: count }, () => startWorker(name, redis.url)));
      const executor = jobQueue({ queue: name, redis: redis.url });
      try {
        await withCache(cache, () => increment.map(fresh().slice(0, 50), { executor })); // connections, module loads
        const perCall: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const list = fresh();
          const start = performance.now();
          await withCache(cache, () => increment.map(list, { executor }));
          perCall.push(((performance.now() - start) * 1e6) / CALLS);
        }
        const overhead = median(perCall) - median(inProcess);
        rows.push({
          path: `job queue, ${count} worker${count === 1 ? "" : "s"}`,
          "per call": formatNs(median(perCall)),
          "beyond in-process": formatNs(overhead),
          target: overhead <= 2e6 ? "≤ 2 ms: met" : "≤ 2 ms: MISSED",
        });
      } finally {
        await executor.close();
        await Promise.all(workers.map(async (w) => (w.kill("SIGTERM"), await once(w, "exit"))));
      }
    }
    printTable(`Job queue (BullMQ on a loopback redis-server): ${CALLS} misses of a trivial body per round, median of ${ROUNDS} rounds`, rows);
  } finally {
    await cache.close();
    await redis.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** `fleche worker` on queue `name`, resolved once it takes jobs. */
async function startWorker(name: string, url: string): Promise<ChildProcess> {
  const args = ["--import", "tsx", join(REPO, "src/cli/main.ts"), "worker", "--queue", name, "--redis", url, "--import", TASKS];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (d: string) => {
      err += d;
      if (err.includes("fleche worker: queue")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`fleche worker exited with ${code}: ${err}`)));
  });
  child.stderr.resume();
  return child;
}
