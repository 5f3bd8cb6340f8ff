/**
 * `Git`: the state of the repository a call ran in: its root, the commit checked out, the branch, and
 * whether the working tree had changes (untracked files count). Outside a repository, without git, or
 * when git does not answer within the timeout, every field is null and the call goes on.
 *
 * Asking git costs a few process spawns, so answers are kept per directory. The commit and branch are
 * rechecked on every call by reading `HEAD` and the ref it points to (two small file reads), so a new
 * commit or checkout is seen at once; the dirty flag, which needs `git status`, is reused for `ttl` ms.
 */
import { createRequire } from "node:module";
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { describedAs } from "./description.js";
import type { MetadataFields, MetadataProvider } from "./provider.js";

/** Options of {@link Git}. */
export interface GitOptions {
  /** The longest a git command may take, in ms; after that the fields are null. @default 2000 */
  readonly timeout?: number;
  /** How long a probe's dirty flag is reused, in ms (commit and branch are always current). @default 2000 */
  readonly ttl?: number;
  /** The directory whose repository is recorded. @default the working directory at call time */
  readonly cwd?: string;
  /** The git executable. @default "git" */
  readonly command?: string;
}

/** Every option of {@link GitOptions}; `Git()` rejects any other key. */
export const GIT_OPTION_KEYS = keysOf<GitOptions>()(["timeout", "ttl", "cwd", "command"]);

/** What the provider records. */
interface GitState extends MetadataFields {
  root: string | null;
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
}

const NOTHING: GitState = { root: null, commit: null, branch: null, dirty: null };

interface Entry {
  state: GitState;
  /** When it was probed (ms). */
  at: number;
  /** Where HEAD and refs live, to notice commits and checkouts cheaply. */
  gitDir?: string;
  commonDir?: string;
  head?: string;
  /** A probe in flight, shared by concurrent calls. */
  pending?: Promise<GitState>;
}

/** Creates the git provider. */
export function Git(options: GitOptions = {}): MetadataProvider {
  rejectUnknownKeys("Git()", options, GIT_OPTION_KEYS);
  const timeout = options.timeout ?? 2000;
  const ttl = options.ttl ?? 2000;
  const command = options.command ?? "git";
  const entries = new Map<string, Entry>();

  function probe(cwd: string): Promise<GitState> {
    const started = Date.now();
    const pending = probeRepository(command, cwd, timeout).then((found) => {
      const head = found.gitDir ? headSignature(found.gitDir, found.commonDir!) : undefined;
      entries.set(cwd, { state: found.state, at: started, gitDir: found.gitDir, commonDir: found.commonDir, head });
      return found.state;
    });
    const previous = entries.get(cwd);
    entries.set(cwd, { ...(previous ?? { state: NOTHING, at: 0 }), pending });
    return pending;
  }

  // Described with its options, so a worker rebuilds the same provider (they are all JSON values).
  return describedAs({
    name: "git",
    async pre() {
      const cwd = resolve(options.cwd ?? process.cwd());
      const entry = entries.get(cwd);
      if (entry?.pending) return { ...(await entry.pending) };
      if (entry && Date.now() - entry.at < ttl) {
        const head = entry.gitDir ? headSignature(entry.gitDir, entry.commonDir!) : undefined;
        if (head === entry.head) return { ...entry.state };
      }
      return { ...(await probe(cwd)) };
    },
  }, { type: "Git", options: { ...options } });
}

/** Ask git, all questions at once; each is cut off after `timeout`, and so is the whole. */
async function probeRepository(command: string, cwd: string, timeout: number): Promise<{ state: GitState; gitDir?: string; commonDir?: string }> {
  const run = (...args: string[]) => git(command, args, cwd, timeout);
  const answers = Promise.all([
    run("rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"),
    run("rev-parse", "--verify", "--quiet", "HEAD"),
    run("rev-parse", "--abbrev-ref", "HEAD"),
    run("status", "--porcelain"),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeout + 100).unref(); // a git child keeping its pipes open must not hold us
  });
  const result = await Promise.race([answers, deadline]);
  clearTimeout(timer);
  if (!result) return { state: NOTHING };
  const [dirs, commit, branch, status] = result;
  if (dirs === undefined) return { state: NOTHING };
  const [root, gitDir, commonDir] = dirs.split("\n");
  return {
    state: {
      root: root || null,
      commit: commit?.trim() || null,
      branch: branch?.trim() || null,
      dirty: status === undefined ? null : status.trim() !== "",
    },
    ...(gitDir && commonDir ? { gitDir, commonDir: resolve(cwd, commonDir) } : {}),
  };
}

/** One git command's stdout, or undefined when it failed, was missing or timed out. */
function git(command: string, args: string[], cwd: string, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      childProcess().execFile(
        command,
        args,
        // No optional locks: `git status` must never take the index lock from under the user's own git.
        { cwd, timeout, windowsHide: true, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" } },
        (error, stdout) => resolve(error ? undefined : stdout.replace(/\n$/, "")),
      );
    } catch {
      resolve(undefined);
    }
  });
}

/** HEAD, the ref it names and the packed/reftable refs: changes with every commit and checkout. */
function headSignature(gitDir: string, commonDir: string): string | undefined {
  try {
    const head = readFileSync(join(gitDir, "HEAD"), "utf8");
    const ref = /^ref: (.+)$/m.exec(head)?.[1]?.trim();
    let target = "";
    if (ref) {
      try {
        target = readFileSync(join(commonDir, ref), "utf8");
      } catch {
        target = "packed"; // not a loose ref: its value is in packed-refs or a reftable, stamped below
      }
    }
    return `${head}|${target}|${stamp(join(commonDir, "packed-refs"))}|${stamp(join(commonDir, "reftable", "tables.list"))}`;
  } catch {
    return undefined;
  }
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "-";
  }
}

/** node:child_process, loaded when git is first asked (not at start-up). */
function childProcess(): typeof import("node:child_process") {
  return createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
}
