/**
 * Temporary project directories and child processes with a controlled environment: their own working
 * directory, HOME and XDG_CONFIG_HOME, and none of the caller's FLECHE_* variables.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (where package.json is). */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The tsx loader, by absolute URL, so children in any directory can run TypeScript. */
export const TSX = import.meta.resolve("tsx");

const created: string[] = [];
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory (real path, so it compares equal to what children see as cwd), removed at exit. */
export function tempDir(label = "fleche-test-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), label)));
  created.push(dir);
  return dir;
}

/** Write files (relative path → content) under `root`, creating directories. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** What a child process did. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runTs}. */
export interface ChildOptions {
  readonly cwd: string;
  readonly home: string;
  /** XDG_CONFIG_HOME; omitted means unset. */
  readonly xdg?: string;
  /** Extra environment variables (FLECHE_CACHE, FLECHE_STRICT, ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Modules to load first (e.g. a store registration). */
  readonly imports?: readonly string[];
}

/** Run a TypeScript file with node + tsx in a controlled environment. */
export function runTs(script: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: options.home, NODE_NO_WARNINGS: "" };
  if (options.xdg !== undefined) env.XDG_CONFIG_HOME = options.xdg;
  Object.assign(env, options.env);
  const imports = [TSX, ...(options.imports ?? [])].flatMap((m) => ["--import", m]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...imports, script, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The fleche warnings a child printed (node prints them as "(node:PID) FlecheWarning: message"). */
export function warningsIn(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((l) => l.includes("FlecheWarning: "))
    .map((l) => l.slice(l.indexOf("FlecheWarning: ") + "FlecheWarning: ".length));
}
