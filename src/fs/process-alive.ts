/**
 * Whether a process named in a lock or lease file still runs: on the same host, a pid that no longer
 * runs, or now belongs to a process started at another time (a reused pid, told apart by the start time
 * Linux records in /proc), is gone. Shared by lock files (`file-lock.ts`) and FileStore leases.
 */
import { readFileSync } from "node:fs";

let ownStart: string | undefined | null = null;

/** Whether `pid` runs, and (when the start time is known, on Linux) is the same process. */
export function isRunning(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (start === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === start;
}

/** Start time of a process from /proc (field 22 of /proc/<pid>/stat), where available. */
export function processStart(pid: number | "self"): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** This process's start time (read once), where available. */
export function ownStartTime(): string | undefined {
  if (ownStart === null) ownStart = processStart("self");
  return ownStart;
}
