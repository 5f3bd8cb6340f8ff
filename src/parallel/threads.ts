/**
 * The worker-thread executor: a piscina pool whose threads run tasks with `runTask`. `threads({ size })`
 * makes one; `f.map` without an `executor` uses this process's shared pool (one thread per core, made
 * on the first miss). Idle threads never keep the process alive (piscina unrefs them), so a program ends
 * when its work does, without closing the pool.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { Piscina } from "piscina";
import type { Executor } from "./executor.js";
import { rebuildThrown } from "./thrown.js";
import type { WorkerMessage, WorkerReply } from "./worker.js";

/** Options of {@link threads}. */
export interface ThreadsOptions {
  /** How many worker threads run at once (also the default concurrency of a map). @default the number of cores */
  readonly size?: number;
}

/** Every key {@link ThreadsOptions} accepts. */
const THREADS_OPTION_KEYS = keysOf<ThreadsOptions>()(["size"]);

/**
 * How long a thread may idle before it ends, in ms: long enough to stay warm between the maps of a
 * sweep, short enough that a long-running program does not keep threads (and their modules) it no
 * longer uses.
 */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * A pool of `size` worker threads running the misses of `f.map` (pass it as `executor`). Threads start on
 * the first task; `close()` ends them, and running tasks with them.
 * @example
 * const pool = threads({ size: 2 });
 * const squares = await square.map([[1], [2], [3]], { executor: pool });
 * await pool.close();
 */
export function threads(options: ThreadsOptions = {}): Executor {
  rejectUnknownKeys("threads()", options, THREADS_OPTION_KEYS);
  const size = options.size ?? availableParallelism();
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`threads(): \`size\` must be a whole number ≥ 1, got ${String(options.size)}`);
  let pool: Promise<Piscina<WorkerMessage, WorkerReply>> | undefined;
  let closed = false;
  const open = () =>
    (pool ??= import("piscina").then(
      ({ Piscina }) =>
        new Piscina<WorkerMessage, WorkerReply>({ filename: workerFile(), minThreads: 0, maxThreads: size, idleTimeout: IDLE_TIMEOUT_MS }),
    ));
  return {
    name: `worker threads (${size})`,
    concurrency: size,
    needsSharedCache: false,
    async run(task, signal) {
      if (closed) throw new ConfigError("threads(): this pool is closed");
      const reply = await (await open()).run({ task }, { signal });
      if (!reply.ok) throw rebuildThrown(reply.error);
      return { value: reply.value };
    },
    async close() {
      closed = true;
      if (pool) await (await pool).destroy();
    },
  };
}

let shared: Executor | undefined;

/** This process's shared pool, one thread per core: where `f.map` runs misses by default. */
export function defaultThreads(): Executor {
  return (shared ??= threads());
}

/**
 * The worker threads' start file (`worker-entry.mjs`, plain JavaScript: see there why): next to this file
 * in the sources and in a module tree, or in `parallel/` next to the published bundle (whose shared code
 * sits in `chunks/`).
 */
function workerFile(): string {
  const candidates = ["./worker-entry.mjs", "./parallel/worker-entry.mjs", "../parallel/worker-entry.mjs"];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new ConfigError(`threads(): cannot find the worker entry next to ${fileURLToPath(import.meta.url)} (a damaged install?)`);
}
