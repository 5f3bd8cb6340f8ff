/**
 * Is a path on a network filesystem? SQLite's WAL journal needs shared memory between every process
 * using the database, which network filesystems (NFS, SMB, Ceph, ...) do not provide; there the store
 * falls back to the DELETE journal. Linux only (from /proc/mounts); anything unreadable counts as local.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname } from "node:path";

/** Filesystem types (as /proc/mounts names them) whose locking and shared memory WAL cannot rely on. */
const NETWORK_TYPES = /^(nfs|nfs4|cifs|smb.*|ceph.*|fuse\.ceph.*|glusterfs|fuse\.glusterfs|9p|lustre|gpfs|panfs|afs|afpfs|fuse\.sshfs|davfs)$/;

/** True for a filesystem type that is a network filesystem. */
export function isNetworkFsType(type: string): boolean {
  return NETWORK_TYPES.test(type);
}

/**
 * The filesystem type of `path` according to `mounts` (the text of /proc/mounts): the entry with the
 * longest mount point containing the path, the last such entry on ties (later mounts shadow earlier).
 */
export function filesystemOf(path: string, mounts: string): string | undefined {
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split("\n")) {
    const fields = line.split(" ");
    if (fields.length < 3) continue;
    const point = unescapeMount(fields[1]!);
    const type = fields[2]!;
    const inside = point === "/" || path === point || path.startsWith(point.endsWith("/") ? point : `${point}/`);
    if (inside && (!best || point.length >= best.point.length)) best = { point, type };
  }
  return best?.type;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The network filesystem type a database file would live on, or undefined when local or unknown. */
export function networkFilesystemOf(file: string): string | undefined {
  try {
    const dir = realpathSync(dirname(file));
    const type = filesystemOf(dir, readFileSync("/proc/mounts", "utf8"));
    return type !== undefined && isNetworkFsType(type) ? type : undefined;
  } catch {
    return undefined; // not Linux, or /proc unreadable: assume local
  }
}
