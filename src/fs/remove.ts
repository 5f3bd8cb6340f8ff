/**
 * Best-effort removal, for files whose absence is the goal whoever achieves it: a corrupt entry, a stale
 * temporary file, a tomb another process may have restored or removed first. A file that stays (a
 * read-only medium) is reported by the result, never thrown: the caller decides what that means.
 */
import { unlinkSync } from "node:fs";

/** Remove `path`; true when this call removed it, false when it was gone already or cannot be removed. */
export function removeQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
