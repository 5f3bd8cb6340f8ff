/** Lease owners: one per attempt to compute a call (host, pid and a random token). */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseOwner } from "../stores/leases.js";

let host: string | undefined;

/** A fresh owner for one attempt: two attempts, even in one process, never share a token. */
export function newOwner(): LeaseOwner {
  host ??= hostname();
  return { host, pid: process.pid, token: randomBytes(8).toString("hex") };
}
