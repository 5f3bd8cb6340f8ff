/**
 * The break guard of lock files (`fs/file-lock.ts`) and lease files (`stores/file/leases.ts`): a
 * short-lived file `<lock>.break`, created exclusively (O_EXCL), under which a process re-reads a lock
 * and removes or rewrites it. Whoever removes an abandoned lock first checks, under the guard, that the
 * lock still holds the very bytes it judged abandoned, so two processes never remove a lock that a third
 * has just taken: of several processes that saw the same abandoned lock, one removes it and the others
 * find it changed (or gone).
 *
 * The guard is held for microseconds. A guard older than {@link GUARD_GRACE_MS} belongs to a process
 * killed while holding it and is removed; the remaining window (a guard removed as stale by two
 * processes at once, one of them removing the other's fresh guard) needs a process to be killed inside
 * those microseconds and another to stall ten seconds at once.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from "node:fs";

/** A guard this old belongs to a process that was killed while holding it. */
export const GUARD_GRACE_MS = 10_000;

/**
 * Run `fn` holding the guard of `lockPath`; `{ ran: false }` when another process holds it (a stale
 * guard is cleared on the way, so a retry can take it).
 */
export function withBreakGuard<T>(lockPath: string, fn: () => T): { readonly ran: true; readonly value: T } | { readonly ran: false } {
  const guard = `${lockPath}.break`;
  let fd: number;
  try {
    fd = openSync(guard, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_GRACE_MS) removeQuietly(guard);
    } catch {
      // gone already
    }
    return { ran: false };
  }
  try {
    return { ran: true, value: fn() };
  } finally {
    closeSync(fd);
    removeQuietly(guard);
  }
}

/**
 * Remove the lock at `lockPath` if it still holds `staleContent`, under its guard. `true` when it was
 * removed here; `false` when it changed, is gone, or the guard was busy.
 */
export function breakIfUnchanged(lockPath: string, staleContent: string): boolean {
  const outcome = withBreakGuard(lockPath, () => {
    let current: string | undefined;
    try {
      current = readFileSync(lockPath, "utf8");
    } catch {
      current = undefined;
    }
    return current === staleContent && removeQuietly(lockPath);
  });
  return outcome.ran && outcome.value;
}

/** Unlink `path`; `false` when it was already gone. */
function removeQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
