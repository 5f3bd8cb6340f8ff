/**
 * The consuming end of a job queue (what `fleche worker` runs): takes the jobs `jobQueue()` adds and runs
 * each task in this process with `runTask`, which looks the call up in the task's cache, computes it
 * under the cache's lease when it is missing, and files the result there for the submitter to load.
 *
 * A job stays with the worker that took it while the worker renews its lock (every half `lockDuration`).
 * A worker that dies (killed, crashed, its machine gone) stops renewing: after `lockDuration` another
 * worker takes the job over (BullMQ's stalled-job check). The call's lease, where the cache has leases,
 * then decides when the body runs again: at once for a FileStore lease whose holder was a process of this
 * host that no longer runs, else when the lease's ttl lapses.
 */
import type { Job, Worker } from "bullmq";
import type { CacheConfig } from "../../cache-like.js";
import type { CallTask } from "../task.js";
import { FlecheError } from "../../errors.js";
import { runTask, taskCache } from "../run-task.js";
import { loadBullMQ } from "./bullmq.js";
import { taskOf } from "./job-data.js";
import { localReference, type ImportedModule } from "./local-reference.js";
import { threads } from "../threads.js";
import type { QueuePlace } from "./options.js";

/** How many jobs a worker has seen end each way, and how many it is running. */
export interface WorkerCounts {
  /** Jobs done, their result filed in the cache (including `cached`). */
  readonly done: number;
  /** Of `done`, the jobs whose call was already in the cache when the worker took them. */
  readonly cached: number;
  /** Jobs running now. */
  readonly running: number;
  /** Jobs that failed (the call threw, or its function could not be found or keyed the same). */
  readonly failed: number;
}

/** What a worker reports as it goes. */
export interface WorkerEvents {
  /** The counts changed. */
  counts?(counts: WorkerCounts): void;
  /** A job failed: the call, and the error it failed with (the submitter's map gets the message too). */
  failed?(name: string, error: Error): void;
  /**
   * Trouble in the queue's machinery rather than in a job: Redis unreachable (the worker keeps
   * reconnecting), a job whose lock was lost. Told once per distinct message in a row.
   */
  trouble?(message: string): void;
}

/** Options of {@link startWorker}. */
export interface QueueWorkerOptions extends QueuePlace {
  /** How many jobs this process runs at once (default 1). */
  readonly concurrency?: number;
  /**
   * Run each job in a worker thread (a pool of `concurrency` threads) rather than in this thread: CPU-bound
   * bodies then run in parallel, and never hold up the renewal of their jobs' locks.
   */
  readonly threads?: boolean;
  /** Milliseconds a job stays with a worker that stopped renewing its lock (BullMQ's `lockDuration`; default 30 s). */
  readonly lockDuration?: number;
  /** Imported modules, searched for the functions of tasks whose module file does not exist here. */
  readonly modules: readonly ImportedModule[];
  readonly events?: WorkerEvents;
}

/** A running worker. */
export interface QueueWorker {
  /** The counts so far. */
  counts(): WorkerCounts;
  /** Stop taking jobs and wait for the running ones to finish (their results are filed). */
  close(): Promise<void>;
  /**
   * Put the running jobs back in the queue at once, for another worker, instead of letting them finish
   * here: for a process about to exit (their bodies still run until it does). A job that cannot be put
   * back (its lock already lapsed) is left to BullMQ's stalled-job check.
   */
  release(): Promise<void>;
}

/**
 * Connect to the queue at `options` and start taking its jobs.
 * @throws FlecheError (FLECHE_UNAVAILABLE) when Redis cannot be reached at the start; later outages are
 *   waited out (reported through `events.trouble`).
 */
export async function startWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const label = `fleche worker --queue ${options.queue}`;
  const bull = await loadBullMQ(label);
  await checkReachable(label, options.redis);
  const counts = { done: 0, cached: 0, running: 0, failed: 0 };
  const changed = () => options.events?.counts?.({ ...counts });

  const active = new Map<Job, string>();
  const namespaces = options.modules.map((m) => m.namespace);
  const concurrency = options.concurrency ?? 1;
  const pool = options.threads ? threads({ size: concurrency }) : undefined;
  const never = new AbortController().signal;
  const run = (task: CallTask): Promise<unknown> =>
    pool ? pool.run({ ...task, fn: localReference(task.fn, options.modules) }, never) : runTask(task, namespaces);

  const processJob = async (job: Job, token?: string): Promise<null> => {
    if (token !== undefined) active.set(job, token);
    counts.running++;
    changed();
    let name = job.name; // the function's name, as the submitter named the job
    try {
      const task = taskOf(job.data);
      name = task.fn.name;
      const cached = task.cache !== null && (await isStored(task.cache, task.key));
      await run(task);
      counts.done++;
      if (cached) counts.cached++;
      return null; // the result is in the cache, not in Redis
    } catch (error) {
      counts.failed++;
      options.events?.failed?.(name, error as Error);
      throw error;
    } finally {
      active.delete(job);
      counts.running--;
      changed();
    }
  };

  const lockDuration = options.lockDuration ?? 30_000;
  const worker: Worker = new bull.Worker(options.queue, processJob, {
    connection: { url: options.redis, maxRetriesPerRequest: null },
    prefix: options.prefix,
    concurrency,
    lockDuration,
    // Check for stalled jobs as often as a lock may lapse, so that a dead worker's job is taken over
    // within about two lock durations.
    stalledInterval: lockDuration,
    autorun: false,
  });
  let told = "";
  worker.on("error", (error) => {
    // Connection trouble (ioredis reconnects on its own), a lost lock; a job's own failure is counted above.
    if (error.message !== told) options.events?.trouble?.((told = error.message));
  });
  await worker.waitUntilReady();
  void worker.run().catch(() => {});
  return {
    counts: () => ({ ...counts }),
    close: async () => {
      await worker.close();
      await pool?.close();
    },
    async release() {
      await Promise.all([...active].map(([job, token]) => job.moveToWait(token).catch(() => {})));
    },
  };
}

/** One connection attempt, so that a wrong URL or a server that is down is an error, not a silent wait. */
async function checkReachable(label: string, url: string): Promise<void> {
  const { Redis } = await import("ioredis"); // loaded by loadBullMQ, or it would have thrown
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  let cause: Error | undefined; // the socket's error (ECONNREFUSED ...), more telling than the command's
  probe.on("error", (error: Error) => (cause ??= error));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const reason = cause ?? (error as Error);
    throw new FlecheError(`${label}: cannot reach Redis at ${url}: ${reason.message}`, "FLECHE_UNAVAILABLE", { cause: reason });
  } finally {
    probe.disconnect();
  }
}

/**
 * Whether the call is in the cache already: for the `cached` count only (the task's own lookup decides
 * what runs). It reads the record through the cache object `runTask` uses for this config.
 */
async function isStored(config: CacheConfig, key: string): Promise<boolean> {
  try {
    return (await taskCache(config).loadRecord(key)) !== undefined;
  } catch {
    return false;
  }
}
