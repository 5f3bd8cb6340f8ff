/**
 * Child of the lease benchmark (bench/sections/60-leases.ts). One JSON plan on the command line:
 * - `w7`: call a 1 s function once at the wall-clock time `at`, through fleche (with or without leases)
 *   or a Node peer; the body appends a line to `log`, so the parent counts executions.
 * - `latency`: for each repetition, call a slow function at its time; as the holder, print when the
 *   holder began filing the record (wrapping the call store's `saveCall`); as the waiter, when the call
 *   returned.
 * Times are `performance.timeOrigin + performance.now()`, comparable across processes on one machine.
 */
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { Cache, cache, cacheFromConfig, fleche } from "../../src/index.js";
import { registerBuiltinStores } from "../../src/stores/builtin.js";
import { nodePeers } from "../peers/node-peers.js";

interface Plan {
  readonly kind: "w7" | "latency";
  readonly impl: string;
  readonly config?: Record<string, unknown>;
  readonly dir: string;
  readonly log: string;
  readonly at: readonly number[];
  readonly ms: number;
  readonly role?: "holder" | "waiter";
}

const plan = JSON.parse(process.argv[2]!) as Plan;
const now = () => performance.timeOrigin + performance.now();
const until = async (t: number) => {
  while (now() < t) await sleep(Math.max(0, Math.min(5, t - now())));
};
const body = async (a: number, b: number) => {
  appendFileSync(plan.log, `${process.pid}\n`);
  await sleep(plan.ms);
  return a + b;
};

registerBuiltinStores();
let call: (a: number, b: number) => Promise<number>;
if (plan.impl.startsWith("fleche")) {
  const c = cacheFromConfig(plan.config!, "bench child") as Cache;
  if (plan.role === "holder") {
    // Reported as the save begins, not when it returns: a PostgreSQL waiter woken by NOTIFY can return
    // before the holder hears its COMMIT confirmed, which made "after the save returned" negative.
    const save = c.calls.saveCall.bind(c.calls);
    c.calls.saveCall = (record) => {
      process.stdout.write(`${JSON.stringify({ filing: now() })}\n`);
      return save(record);
    };
  }
  cache(c);
  call = fleche(body, { name: "slow", module: "fleche-bench:leases", params: ["a", "b"], ...(plan.impl === "fleche, lease: false" ? { lease: false } : {}) });
} else {
  const peer = (await nodePeers(plan.dir, body)).find(([name]) => name === plan.impl);
  if (!peer) throw new Error(`no peer ${plan.impl}`);
  call = peer[1];
}

for (const [i, at] of plan.at.entries()) {
  await until(at);
  const value = await call(i, 1);
  if (value !== i + 1) throw new Error(`wrong value ${value}`);
  if (plan.kind === "latency" && plan.role === "waiter") process.stdout.write(`${JSON.stringify({ returned: now() })}\n`);
}
