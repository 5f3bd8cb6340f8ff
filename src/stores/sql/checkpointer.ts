/**
 * Background WAL checkpoints for a SQLite file. A checkpoint copies the WAL's pages into the database
 * and waits for the disk twice (fsync), which on a busy disk is most of what a save would cost if the
 * saving thread did it. SQLite lets another connection checkpoint while writers go on, so a worker thread
 * does it: the store nudges it every {@link NUDGE_EVERY} commits, it runs a PASSIVE checkpoint (never
 * blocking writers or readers). The store's own connection keeps an automatic checkpoint at a high
 * threshold, so the WAL stays bounded even if the worker falls behind or is gone.
 */
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import { logger } from "../../log.js";

/** Commits between nudges (about a thousand WAL pages). */
export const NUDGE_EVERY = 96;

// Plain CommonJS evaluated in the worker, so it needs no loader for this package's own files.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: 1000 });
db.pragma("journal_size_limit = " + workerData.walLimit);
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort.postMessage(String(error && error.message));
  }
});
`;

/** A worker that checkpoints one database file when nudged; started at the first nudge. */
export class Checkpointer {
  #worker: Worker | undefined;
  #commits = 0;
  #closed = false;

  constructor(
    private readonly path: string,
    private readonly walLimit: number,
    private readonly label: string,
  ) {}

  /** Count a commit; every {@link NUDGE_EVERY} commits ask for a checkpoint. */
  committed(): void {
    if (!this.#closed && ++this.#commits % NUDGE_EVERY === 0) (this.#worker ??= this.#start()).postMessage("checkpoint");
  }

  #start(): Worker {
    const module = createRequire(import.meta.url).resolve("better-sqlite3");
    // node:worker_threads loads on first use: a program that never writes SQLite never pays for it.
    const { Worker } = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
    const worker = new Worker(WORKER, { eval: true, workerData: { path: this.path, module, walLimit: this.walLimit } });
    worker.on("message", (problem: string) => logger().debug(`${this.label}: background checkpoint failed (${problem})`));
    worker.on("error", (error) => logger().debug(`${this.label}: checkpoint worker stopped (${error.message})`));
    worker.unref(); // after the listeners (which would ref it): never keeps the process alive
    return worker;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    worker.ref(); // keep the process alive while the worker lets go of the file
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage("close");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }
}
