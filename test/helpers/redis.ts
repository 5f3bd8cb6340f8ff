/**
 * A real Redis for tests: the Debian `redis-server` (.ci/run installs it) on a free loopback port, in a
 * child process of the test, with persistence off and its working directory a temporary one (nothing is
 * left behind). Killed after the test file (or by its owner), and when the process exits.
 */
import { after } from "node:test";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./port.js";

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Kill the server and remove its directory (also done after the test file). */
  stop(): Promise<void>;
  /** Kill the server, as a crash would (its data is lost: nothing persists); `up` starts it again. */
  down(): Promise<void>;
  /** Start an empty server on the same port after `down`. */
  up(): Promise<void>;
}

/** Start redis-server on `port`; resolves once it accepts connections, rejects when it exits first. */
async function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = [
    "--bind", "127.0.0.1",
    "--port", String(port),
    "--dir", dir,
    "--save", "", // no RDB snapshots
    "--appendonly", "no",
    "--daemonize", "no",
    "--logfile", "", // log to stdout, where readiness is read
  ];
  let child: ChildProcess;
  try {
    child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`cannot start redis-server (apt-get install redis-server, as .ci/run does): ${(error as Error).message}`);
  }
  let log = "";
  await new Promise<void>((resolve, reject) => {
    child.on("error", (error) => reject(new Error(`cannot start redis-server (apt-get install redis-server, as .ci/run does): ${error.message}`)));
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      log += chunk;
      if (log.includes("Ready to accept connections")) resolve();
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code} before accepting connections:\n${log}`)));
  });
  child.stdout!.resume(); // keep draining its log so it never blocks on a full pipe
  return child;
}

/**
 * Start a redis-server of this test file's own (call it at a test file's top level, as `startS3`), on a
 * free loopback port; stopped after the file's tests.
 */
export async function startRedis(): Promise<RedisServer> {
  const server = await spawnRedis();
  after(server.stop);
  return server;
}

/**
 * Start a redis-server on a free loopback port (a port taken between choosing and binding it is retried
 * with another); the caller stops it (outside `node:test`, e.g. in a bench), or the process's exit does.
 */
export async function spawnRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "fleche-redis-"));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  let proc = child;
  const killAtExit = () => proc.kill("SIGKILL");
  process.on("exit", killAtExit);
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, "exit");
      proc.kill("SIGKILL");
      await exited;
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off("exit", killAtExit);
      await kill();
      rmSync(dir, { recursive: true, force: true });
    })());
  const up = async () => {
    proc = await launch(port, dir);
  };
  return { url: `redis://127.0.0.1:${port}`, port, stop, down: kill, up };
}
