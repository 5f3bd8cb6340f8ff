/** Lease owners: one per attempt to compute a call (host, pid and a random token). */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseOwner } from "../stores/leases.js";

let host: string | undefined;
let prefix: string | undefined;
let count = 0;

/**
 * A fresh owner for one attempt: two attempts, even in one process, never share a token (a random
 * prefix drawn once per process, so a pid reused on another machine cannot collide, and a counter).
 */
export function newOwner(): LeaseOwner {
  host ??= hostname();
  prefix ??= randomBytes(6).toString("hex");
  return { host, pid: process.pid, token: `${prefix}-${(count++).toString(36)}` };
}
