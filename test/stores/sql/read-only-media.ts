/**
 * A directory as a process sees it on read-only media, for real (tests run as root, which ignores
 * permission bits, so chmod alone would test nothing):
 * - as root with mount rights: a read-only bind mount of the directory. Writes fail with EROFS for every
 *   user, root included, exactly as on a read-only filesystem (a DVD, a read-only NFS export, a
 *   container's read-only volume);
 * - as root without mount rights (an unprivileged container): the reading process runs as `nobody`
 *   (`setpriv`), and the directory and its files lose their write permission bits, so that user cannot
 *   write them (EACCES): the "no write permission" case;
 * - as any other user: the write permission bits are removed, and the process runs as that user.
 * `FLECHE_TEST_READ_ONLY_MEDIA=permissions` skips the mount, to exercise the second way under root.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ReadOnlyMedia {
  /** Where the read-only view is. */
  readonly path: string;
  /** How it is read-only, for messages. */
  readonly how: "read-only bind mount" | "no write permission, as nobody" | "no write permission";
  /** Command prefix for the reading process (runs it as another user when needed). */
  readonly wrap: readonly string[];
  /** Undo it (the source directory stays). */
  release(): void;
}

export function readOnlyMedia(source: string): ReadOnlyMedia {
  const root = process.getuid?.() === 0;
  if (root && process.env.FLECHE_TEST_READ_ONLY_MEDIA !== "permissions") {
    const target = mkdtempSync(join(tmpdir(), "fleche-ro-"));
    const mounted = spawnSync("mount", ["--bind", "-o", "ro", source, target], { stdio: "ignore" }).status === 0;
    if (mounted) {
      return {
        path: target,
        how: "read-only bind mount",
        wrap: [],
        release: () => {
          execFileSync("umount", ["--lazy", target]);
          rmdirSync(target);
        },
      };
    }
    rmdirSync(target);
  }
  withoutWrite(source, true);
  return {
    path: source,
    how: root ? "no write permission, as nobody" : "no write permission",
    wrap: root ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [],
    release: () => withoutWrite(source, false),
  };
}

function withoutWrite(dir: string, on: boolean): void {
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), on ? 0o444 : 0o644);
  chmodSync(dir, on ? 0o555 : 0o755);
}
