/**
 * A child process of the lease conformance suite (`lease-suite.ts`): it rebuilds the store under test
 * from its config, then, for each round, waits for the round's start time (shared through the wall
 * clock) and races the other children to acquire the round's key. It prints one JSON line: the rounds it
 * won. Not part of the public API.
 */
import { hostname } from "node:os";
import { registerBuiltinStores } from "../stores/builtin.js";
import { storeFromConfig } from "../stores/registry.js";
import { leasesOf } from "../stores/leases.js";

interface Plan {
  readonly config: Record<string, unknown>;
  readonly imports: readonly string[];
  readonly keys: readonly string[];
  readonly start: number;
  readonly stepMs: number;
  readonly ttlMs: number;
}

const plan = JSON.parse(process.argv[2]!) as Plan;
for (const module of plan.imports) await import(module);
registerBuiltinStores();
const store = storeFromConfig(plan.config, { role: "calls", origin: "lease suite child" });
const leases = leasesOf(store);
if (!leases) throw new Error(`the store rebuilt from ${JSON.stringify(plan.config)} has no leases`);
const won: number[] = [];
for (const [round, key] of plan.keys.entries()) {
  const at = plan.start + round * plan.stepMs;
  while (Date.now() < at) await new Promise((resolve) => setTimeout(resolve, Math.min(5, at - Date.now())));
  const owner = { host: hostname(), pid: process.pid, token: `child-${process.pid}-${round}` };
  if ((await leases.acquire(key, owner, plan.ttlMs)).acquired) won.push(round);
}
process.stdout.write(`${JSON.stringify({ won })}\n`);
await store.close?.();
