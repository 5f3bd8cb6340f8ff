/**
 * `fleche worker` as a real child process (`node --import tsx src/cli/main.ts worker ...`), in a
 * controlled environment (as helpers/project.ts runs the CLI), stopped after the test file.
 */
import { after } from "node:test";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { REPO, TSX, tempDir } from "./project.js";

const MAIN = join(REPO, "src/cli/main.ts");

/** A running worker process. */
export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr (its status lines) so far. */
  stderr(): string;
  /** Resolves with its exit code (null when a signal ended it) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Send `signal` (default SIGTERM) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  readonly queue: string;
  readonly redis: string;
  /** Modules for `--import` (absolute paths). */
  readonly imports: readonly string[];
  /** More arguments (`--concurrency 2`, `--lock-duration 1`). */
  readonly args?: readonly string[];
}

/** Start `fleche worker` and resolve once it takes jobs (it says so on stderr). */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const home = tempDir("fleche-worker-home-");
  const args = [
    "--import", TSX, MAIN, "worker",
    "--queue", options.queue,
    "--redis", options.redis,
    ...options.imports.flatMap((m) => ["--import", m]),
    ...(options.args ?? []),
  ];
  const env = { PATH: process.env.PATH ?? "", HOME: home, NODE_NO_WARNINGS: "" };
  const child = spawn(process.execPath, args, { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.resume();
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (stderr.includes("fleche worker: queue")) {
        child.stderr.off("data", check);
        resolve();
      }
    };
    child.stderr.on("data", check);
    void exited.then(({ code }) => reject(new Error(`fleche worker exited with ${code} before taking jobs:\n${stderr}`)));
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  after(async () => void (await stop("SIGKILL")));
  return { pid: child.pid!, child, stderr: () => stderr, exited, stop };
}
