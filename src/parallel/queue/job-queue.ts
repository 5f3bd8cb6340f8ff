/**
 * `jobQueue()`: an {@link Executor} that runs the misses of `f.map` on `fleche worker` processes, on any
 * number of machines, through a BullMQ queue on Redis. A task becomes one job whose id is its call key
 * (so the same call queued by two maps is one job, run once); the worker files the result in the shared
 * cache, and the map loads it from there: results never travel through Redis.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { ConfigError, FlecheError } from "../../errors.js";
import type { Executor, TaskResult } from "../executor.js";
import type { CallTask } from "../task.js";
import { loadBullMQ } from "./bullmq.js";
import { openCompletions, type Completions } from "./completions.js";
import { jobData, jobIdOf } from "./job-data.js";
import { onAbort } from "./on-abort.js";
import { checkJobQueueOptions, type JobQueueOptions } from "./options.js";

/** The connections of an open queue, made on the first task. */
interface Open {
  readonly queue: Queue;
  readonly completions: Completions;
  readonly redis: Redis;
}

/**
 * An executor that sends each missed call of a map to the workers of a BullMQ queue (`fleche worker
 * --queue NAME --import ./tasks.js`, on this machine or others) and waits for it to be filed in the
 * shared cache.
 *
 * - The map's cache must be reachable from every worker (S3, PostgreSQL, a shared directory): a task
 *   whose cache cannot travel (memory stores) is refused before anything is queued.
 * - Calls already in the cache are served by the map and never queued. A call queued twice while its
 *   job is waiting or running (two maps, two machines) is one job and runs once.
 * - A call that fails on a worker rejects its own entry of the map with the worker's error message.
 * - Aborting a map removes its jobs that are still waiting; a job a worker has started runs to its end
 *   (its result is filed, for the next map to find).
 * - Nothing connects to Redis before the first task; `close()` disconnects.
 *
 * @param options - the queue's name (required), its Redis server and key prefix; unknown keys are errors.
 * @throws ConfigError for unknown options or bad values, naming them.
 */
export function jobQueue(options: JobQueueOptions): Executor {
  const { concurrency, ...place } = checkJobQueueOptions(options);
  const name = `queue ${place.queue}`;
  let opening: Promise<Open> | undefined;
  let closed = false;
  const pending = new Set<(error: Error) => void>();

  const open = (): Promise<Open> =>
    (opening ??= (async () => {
      const bull = await loadBullMQ(`jobQueue(${place.queue})`);
      const { Redis } = await import("ioredis"); // loaded by loadBullMQ, or it would have thrown
      // Fail a task rather than hang it when Redis cannot be reached: one connection attempt per command.
      const redis = new Redis(place.redis, { maxRetriesPerRequest: 1, lazyConnect: true });
      let cause: Error | undefined; // the socket's error (ECONNREFUSED ...), more telling than the command's
      redis.on("error", (error: Error) => (cause ??= error));
      try {
        await redis.connect();
        const completions = await openCompletions(bull, place, redis);
        const queue = new bull.Queue(place.queue, { connection: redis, prefix: place.prefix });
        queue.on("error", () => {});
        return { queue, completions, redis };
      } catch (error) {
        redis.disconnect();
        const reason = cause ?? (error as Error);
        throw new FlecheError(`${name}: cannot reach Redis at ${place.redis}: ${reason.message}`, "FLECHE_UNAVAILABLE", { cause: reason });
      }
    })().catch((error: unknown) => {
      opening = undefined; // the server may be up on the next map
      throw error;
    }));

  const run = async (task: CallTask, signal: AbortSignal): Promise<TaskResult> => {
    if (task.cache === null) throw unshareable(name, task);
    if (closed) throw new FlecheError(`${name} is closed`, "FLECHE_CLOSED");
    signal.throwIfAborted();
    const { queue, completions } = await open();
    signal.throwIfAborted();
    const id = jobIdOf(task);
    const data = jobData({ ...task, cache: task.cache });
    // Removed as soon as they finish: a job id that exists is a job whose outcome is still to come.
    const add = () => queue.add(task.fn.name, data, { jobId: id, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    return new Promise<TaskResult>((resolve, reject) => {
      const settle = (outcome: () => void) => {
        watch.cancel();
        unsubscribe();
        pending.delete(fail);
        outcome();
      };
      const fail = (error: Error) => settle(() => reject(error));
      const watch = completions.watch(id, {
        completed: () => settle(() => resolve({ stored: true })),
        failed: (reason) => fail(new Error(reason)),
        // Another submitter aborted the job we also wait for: queue it again.
        removed: () => void add().catch(fail),
      });
      const aborted = () => {
        fail(signal.reason as Error);
        // Take the job out of the queue unless another task of this process waits for it too (a job a
        // worker holds is locked: `remove` leaves it and answers 0). Submitters elsewhere re-add it.
        if (completions.watchers(id) === 0) queue.remove(id).catch(() => {});
      };
      const unsubscribe = onAbort(signal, aborted);
      pending.add(fail);
      add().catch((error: unknown) => fail(new FlecheError(`${name}: cannot queue ${task.fn.name}: ${(error as Error).message}`, "FLECHE_UNAVAILABLE", { cause: error })));
    });
  };

  return {
    name,
    concurrency,
    needsSharedCache: true,
    run,
    async close() {
      if (closed) return;
      closed = true;
      for (const fail of [...pending]) fail(new FlecheError(`${name} was closed while the call waited for a worker`, "FLECHE_CLOSED"));
      const current = opening;
      opening = undefined;
      const open = await current?.catch(() => undefined);
      if (!open) return;
      await open.queue.close();
      await open.completions.close();
      await open.redis.quit().catch(() => open.redis.disconnect());
    },
  };
}

/** The error for a task whose cache exists only in the submitting process. */
function unshareable(name: string, task: CallTask): ConfigError {
  return new ConfigError(
    `${name}: ${task.fn.name} runs with a cache that only this process can reach (memory stores cannot travel to workers): ` +
      "a job queue needs a cache every worker reaches, e.g. files on a shared file system, S3 or PostgreSQL; activate one (or bind it) for the map",
  );
}
