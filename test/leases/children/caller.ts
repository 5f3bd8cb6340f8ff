/**
 * Lease test child: builds its cache from a config table, then for each repetition waits for its start
 * time (the wall clock, shared by every child) and calls the same slow cached function. The body appends
 * "<pid> start <arg>" to a shared log before it sleeps, so the parent counts executions across processes.
 * Prints one JSON line per call: the value, or the error message.
 */
import { appendFileSync, openSync, closeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { cache, cacheFromConfig, fleche, setLogger, type FlecheOptions } from "../../../src/index.js";

interface Plan {
  readonly config: Record<string, unknown>;
  readonly reps: readonly { readonly arg: number; readonly at: number }[];
  readonly ms: number;
  readonly log: string;
  readonly mode: "ok" | "throw-first";
  readonly lease?: FlecheOptions["lease"];
  /** This process's clock runs this many milliseconds ahead of the real one (negative: behind). */
  readonly skewMs?: number;
  /** The host name this process reports (as if each child ran on a machine of its own). */
  readonly host?: string;
}

const plan = JSON.parse(process.argv[2]!) as Plan;
if (plan.host) {
  // Named imports of node:os follow the module object once synced (a documented Node API).
  const os = createRequire(import.meta.url)("node:os") as { hostname: () => string };
  os.hostname = () => plan.host!;
  syncBuiltinESMExports();
}
if (plan.skewMs) {
  const now = Date.now.bind(Date);
  Date.now = () => now() + plan.skewMs!;
}
setLogger({ debug() {}, info() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) });
cache(cacheFromConfig(plan.config, "lease test child"));

const slow = fleche(
  async function slow(arg: number) {
    appendFileSync(plan.log, `${process.pid} start ${arg}\n`);
    if (plan.mode === "throw-first" && firstRun(arg)) {
      await sleep(plan.ms / 2);
      throw new Error(`boom from ${process.pid}`);
    }
    await sleep(plan.ms);
    return { arg, value: arg * 7 };
  },
  { module: "fleche-test:leases", ...(plan.lease === undefined ? {} : { lease: plan.lease }) },
);

/** True for the first execution of `arg` in any process (an exclusive create decides). */
function firstRun(arg: number): boolean {
  try {
    closeSync(openSync(`${plan.log}.${arg}.first`, "wx"));
    return true;
  } catch {
    return false;
  }
}

for (const { arg, at } of plan.reps) {
  while (Date.now() - (plan.skewMs ?? 0) < at) await sleep(Math.min(5, at - Date.now() + (plan.skewMs ?? 0)));
  try {
    const result = await slow(arg);
    process.stdout.write(`${JSON.stringify({ arg, result })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ arg, error: (error as Error).message })}\n`);
  }
}
