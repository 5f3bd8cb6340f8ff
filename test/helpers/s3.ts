/**
 * A real S3-compatible server for tests: s3rver on a free loopback port, in a child process so a test
 * can stop it (killed, as a server that goes away is) and start it again on the same port and data
 * directory. Credentials are s3rver's built-in account, given to the SDK through the environment, as a
 * user's would be (the SDK's standard chain).
 */
import { after } from "node:test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * An SDK client of the test's own (to look at or damage objects behind the store's back), built with the
 * SDK's Node-version warning switched off as the store's own clients are, so test output stays clean.
 */
export function rawClient(server: S3Server): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1" });
}

/** s3rver's built-in account. */
export const S3RVER_ACCESS_KEY = "S3RVER";
export const S3RVER_SECRET_KEY = "S3RVER";

const CHILD = fileURLToPath(new URL("./s3rver-child.mjs", import.meta.url));

/** A running (or stopped) s3rver. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The bucket created at start ("fleche-test"). */
  readonly bucket: string;
  /** Requests the server received since the last start: "METHOD /bucket/key?query RANGE-or--". */
  readonly requests: string[];
  /**
   * Resolves once `requests` holds every request the server answered before this call. The log comes
   * through the child's stdout, which can reach us after the answer it describes, so read `requests`
   * only after awaiting this.
   */
  settled(): Promise<void>;
  /** Kill the server process (in-flight requests are cut). */
  stop(): Promise<void>;
  /** Start it again on the same port and data. */
  start(): Promise<void>;
}

/**
 * Start s3rver with one bucket; stopped and its data removed after the test file (call it at a test
 * file's top level, `const server = await startS3()`, not in a hook: its cleanup hook would then run
 * when that hook ends). Sets the SDK's
 * credential environment variables to s3rver's account (and a region) for this test process.
 */
export async function startS3(bucket = "fleche-test"): Promise<S3Server> {
  process.env.AWS_ACCESS_KEY_ID = S3RVER_ACCESS_KEY;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_SECRET_KEY;
  process.env.AWS_REGION ??= "us-east-1";
  const directory = mkdtempSync(join(tmpdir(), "fleche-s3rver-"));
  let child: ChildProcess | undefined;
  let port = 0;
  const requests: string[] = [];
  // A marker request per settled() call: the child logs in order, so once its line arrives, every line
  // before it has too. Markers are kept out of `requests`.
  const markers = new Map<string, () => void>();
  let markerCount = 0;
  const start = async () => {
    const proc = spawn(process.execPath, [CHILD, String(port), directory, bucket], { stdio: ["pipe", "pipe", "inherit"] });
    child = proc;
    let out = "";
    proc.stdout!.setEncoding("utf8");
    const listening = new Promise<number>((resolve, reject) => {
      proc.stdout!.on("data", (chunk: string) => {
        out += chunk;
        const lines = out.split("\n");
        out = lines.pop()!;
        for (const line of lines) {
          if (line.startsWith("request ")) {
            const request = line.slice("request ".length);
            const marker = [...markers.keys()].find((path) => request.includes(path));
            if (marker === undefined) requests.push(request);
            else {
              markers.get(marker)!();
              markers.delete(marker);
            }
          }
          const match = /^listening (\d+)/.exec(line);
          if (match) resolve(Number(match[1]));
        }
      });
      proc.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    });
    port = await listening;
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, "exit");
    proc.kill("SIGKILL");
    await exited;
  };
  await start();
  after(async () => {
    await stop();
    rmSync(directory, { recursive: true, force: true });
  });
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    bucket,
    requests,
    async settled() {
      const path = `/fleche-log-marker-${++markerCount}`;
      const seen = new Promise<void>((resolve) => markers.set(path, resolve));
      await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
      await seen;
    },
    stop,
    start,
  };
}
