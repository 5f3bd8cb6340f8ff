/**
 * `fleche worker --queue NAME --import ./tasks.js`: run the calls that maps with `jobQueue({ queue:
 * NAME })` send, until interrupted. The imported modules are where the wrapped functions of the tasks
 * are found when the submitting machine's module path does not exist here. Its status (done, cached,
 * running, failed) goes to stderr: one line kept up to date on a terminal, plain lines otherwise.
 *
 * The first SIGINT or SIGTERM stops taking jobs and lets the running ones finish (their results are
 * filed); a second one puts the running jobs back in the queue, for another worker, and exits.
 */
import { hostname } from "node:os";
import { ConfigError } from "../../errors.js";
import { queuePlace } from "../../parallel/queue/options.js";
import { startWorker, type WorkerCounts } from "../../parallel/queue/worker.js";
import type { ImportedModule } from "../../parallel/queue/local-reference.js";
import { moduleUrl } from "../open.js";
import { statusLine } from "../status-line.js";

/** Options of `fleche worker`. */
export interface WorkerCommandOptions {
  readonly queue: string;
  readonly import?: readonly string[];
  readonly redis?: string;
  readonly prefix?: string;
  readonly concurrency?: number;
  /** Seconds. */
  readonly lockDuration?: number;
  readonly threads?: boolean;
}

/** Run a worker until a signal stops it. */
export async function worker(options: WorkerCommandOptions): Promise<void> {
  const place = queuePlace("fleche worker", options, { queue: "--queue", redis: "--redis", prefix: "--prefix" });
  const modules: ImportedModule[] = [];
  for (const specifier of options.import ?? []) {
    try {
      const url = moduleUrl(specifier);
      modules.push({ url, namespace: (await import(url)) as object });
    } catch (error) {
      throw new ConfigError(`fleche worker: --import ${specifier}: ${(error as Error).message}`, { cause: error });
    }
  }
  const status = statusLine();
  const show = (c: WorkerCounts) => status.update(`queue ${place.queue}: ${c.done} done (${c.cached} cached), ${c.running} running, ${c.failed} failed`);
  const running = await startWorker({
    ...place,
    modules,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    threads: options.threads === true,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration * 1000 }),
    events: {
      counts: show,
      failed: (name, error) => status.log(`failed: ${name}: ${error.message}`),
      trouble: (message) => status.log(`queue: ${message}`),
    },
  });
  status.log(
    `fleche worker: queue ${place.queue} on ${place.redis} (prefix ${place.prefix}), pid ${process.pid} on ${hostname()}, ` +
      `${options.concurrency ?? 1} at a time${options.threads ? " in worker threads" : ""}, ${modules.length} module(s) imported`,
  );
  show(running.counts());
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        status.log(`${signal}: stopping now; the running jobs go back to the queue for another worker`);
        void running.release().then(resolve, resolve);
        return;
      }
      const busy = running.counts().running;
      status.log(`${signal}: stopping${busy ? ` once the ${busy} running job(s) finish (${signal} again to stop at once)` : ""}`);
      void running.close().then(resolve, resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  show(running.counts());
  status.stop();
  // The caches the tasks opened (pools, file handles) are not this command's to close: exit now.
  process.exit(0);
}
