/** Driving `children/sql-session.ts`: a second process using a SQLite call store, one command at a time. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./children/sql-session.ts", import.meta.url));
/** How long an answer may take before the test fails (a guard against hanging, not a measurement). */
const ANSWER_MS = 60_000;
const live = new Set<ChildProcessWithoutNullStreams>();

/** Kill every session still running (for `after`, so a failed test leaves no process behind). */
export function killSessions(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

export interface Session {
  /** Send a command; resolves with the child's answer line (`ready`, `error …` for the opening). */
  ask(command: string): Promise<string>;
  /** Everything the child wrote to stderr so far (its warnings are `warn: …` lines). */
  stderr(): string;
  /** `quit`, and wait for the exit. */
  close(): Promise<number | null>;
}

/**
 * Start the child on `url`. `wrap` prefixes the command (e.g. `setpriv` to run it as another user).
 * Resolves once it answered `ready` (or `error …`: then `opening` holds that line).
 */
export async function startSession(url: string, options: { readOnly?: boolean; wrap?: readonly string[] } = {}): Promise<Session & { opening: string }> {
  const command = [...(options.wrap ?? []), process.execPath, "--import", "tsx", CHILD, url, ...(options.readOnly ? ["read-only"] : [])];
  const child: ChildProcessWithoutNullStreams = spawn(command[0]!, command.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  live.add(child);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on("line", (line) => (waiting.length ? waiting.shift()!(line) : early.push(line)));
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (early.length) return resolve(early.shift()!);
      const timer = setTimeout(() => reject(new Error(`no answer from the session in ${ANSWER_MS / 1000} s:\n${stderr}`)), ANSWER_MS);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the session exited (${code}):\n${stderr}`));
      });
    });
  const opening = await next();
  return {
    opening,
    ask: (cmd) => {
      child.stdin.write(`${cmd}\n`);
      return next();
    },
    stderr: () => stderr,
    close: async () => {
      if (child.exitCode === null) child.stdin.write("quit\n");
      return exited;
    },
  };
}
