/**
 * The lease conformance suite: every call store with `leases` runs it (`leaseSuite({ name, make })` in
 * the store's test file). It checks the contract of `stores/leases.ts`: exclusive grants, renewals and
 * releases only by the holder, expiry and takeover, listing and clearing, that leases are never records,
 * and exclusivity among several child processes racing for the same keys (each child rebuilds the store
 * from `store.toConfig()`), for free leases and for the takeover of expired ones.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { closingAfter } from "./opened.js";
import { digest } from "../digest/index.js";
import { allKeys } from "../stores/keys.js";
import { leasesOf, type LeaseInfo, type LeaseOwner, type Leases } from "../stores/leases.js";
import type { CallStore } from "../stores/types.js";

/** How a store with leases is made for the suite, and what it promises. */
export interface LeaseSuiteOptions {
  /** The store's name in the test titles. */
  readonly name: string;
  /** A fresh, empty call store with `leases`. */
  readonly make: () => CallStore | Promise<CallStore>;
  /**
   * How long past its expiry a lease may still count as live (the store's clock-skew tolerance, e.g.
   * 5000 for FileStore); the suite waits this long on top of a ttl before it expects a lease to lapse.
   * @default 0
   */
  readonly toleranceMs?: number;
  /** Modules the child processes import before rebuilding the store (a plugin registering its type). */
  readonly childImports?: readonly string[];
  /** Child processes racing for each key. @default 6 */
  readonly children?: number;
}

const owner = (name: string): LeaseOwner => ({ host: "suite-host", pid: 4242, token: `${name}-${Math.random().toString(36).slice(2)}` });
const keyOf = (name: string) => digest(["lease-suite", name, Math.random()]);

async function listed(leases: Leases): Promise<LeaseInfo[]> {
  const out: LeaseInfo[] = [];
  for await (const lease of leases.list()) out.push(lease);
  return out;
}

/**
 * Register the lease conformance tests (with `node:test`) for the store `options.make` builds. Call it
 * once at the top level of a test file run by `node --test`.
 */
export function leaseSuite(options: LeaseSuiteOptions): void {
  const { make } = closingAfter(options.make);
  const tolerance = options.toleranceMs ?? 0;
  const leasesIn = async () => {
    const store = await make();
    const leases = leasesOf(store);
    assert.ok(leases, `${options.name} offers no leases`);
    return { store, leases };
  };

  describe(`lease conformance: ${options.name}`, () => {
    it("grants a free lease to one owner; others are refused and told who holds it, until it is released", async () => {
      const { leases } = await leasesIn();
      const key = keyOf("grant");
      const [a, b] = [owner("a"), owner("b")];
      assert.deepEqual(await leases.acquire(key, a, 60_000), { acquired: true });
      const refused = await leases.acquire(key, b, 60_000);
      assert.equal(refused.acquired, false);
      if (!refused.acquired && refused.holder) {
        assert.equal(refused.holder.token, a.token);
        assert.equal(refused.holder.host, a.host);
        assert.equal(refused.holder.pid, a.pid);
        assert.equal(refused.holder.key, key);
        assert.equal(refused.holder.expired, false);
      }
      assert.equal((await leases.acquire(key, a, 60_000)).acquired, false, "a lease is not re-entrant: the holder asking again is refused");
      await leases.release(key, b); // not the holder: a no-op
      assert.equal((await leases.acquire(key, b, 60_000)).acquired, false);
      await leases.release(key, a);
      assert.deepEqual(await leases.acquire(key, b, 60_000), { acquired: true });
      await leases.release(key, b);
    });

    it("keeps the leases of different keys independent", async () => {
      const { leases } = await leasesIn();
      const [k1, k2] = [keyOf("k1"), keyOf("k2")];
      const [a, b] = [owner("a"), owner("b")];
      assert.equal((await leases.acquire(k1, a, 60_000)).acquired, true);
      assert.equal((await leases.acquire(k2, b, 60_000)).acquired, true);
      await leases.release(k1, a);
      assert.equal((await leases.acquire(k2, a, 60_000)).acquired, false);
      await leases.release(k2, b);
    });

    it("renews only for the holder, and not after the release", async () => {
      const { leases } = await leasesIn();
      const key = keyOf("renew");
      const [a, b] = [owner("a"), owner("b")];
      assert.equal(await leases.renew(key, a, 60_000), false, "nothing to renew");
      await leases.acquire(key, a, 60_000);
      assert.equal(await leases.renew(key, a, 60_000), true);
      assert.equal(await leases.renew(key, b, 60_000), false);
      await leases.release(key, a);
      assert.equal(await leases.renew(key, a, 60_000), false);
    });

    it("lists the leases held, with holder and times, and forgets released ones", async () => {
      const { leases } = await leasesIn();
      const key = keyOf("list");
      const a = owner("a");
      const before = Date.now();
      await leases.acquire(key, a, 60_000);
      const [lease, ...more] = await listed(leases);
      assert.equal(more.length, 0);
      assert.ok(lease);
      assert.deepEqual({ key: lease.key, host: lease.host, pid: lease.pid, token: lease.token, expired: lease.expired }, { key, host: a.host, pid: a.pid, token: a.token, expired: false });
      // The store's clock may differ from ours by its tolerance; the lease lasts about its ttl.
      assert.ok(Math.abs(lease.since - before) < 60_000 && lease.expires > lease.since && lease.expires - lease.since <= 60_000 + 1_000);
      assert.equal(await leases.clearExpired(), 0, "a live lease is not cleared");
      await leases.release(key, a);
      assert.deepEqual(await listed(leases), []);
    });

    it("never shows a lease as a record", async () => {
      const { store, leases } = await leasesIn();
      const key = keyOf("not-a-record");
      await leases.acquire(key, owner("a"), 60_000);
      assert.deepEqual(await allKeys((p) => store.listCalls(p)), []);
      assert.equal(await store.loadCall(key), undefined);
      assert.equal(await store.containsCall(key), false);
      await store.evictCall(key);
      assert.equal((await leases.acquire(key, owner("b"), 60_000)).acquired, false, "evicting the record leaves the lease");
    });

    it("lets a lapsed lease be taken over (once), keeps a renewed one, and clears lapsed ones", async () => {
      const { leases } = await leasesIn();
      const [lapsing, renewed, cleared] = [keyOf("lapsing"), keyOf("renewed"), keyOf("cleared")];
      const [a, b, c] = [owner("a"), owner("b"), owner("c")];
      await leases.acquire(lapsing, a, 200);
      await leases.acquire(renewed, a, 200);
      await leases.acquire(cleared, a, 200);
      assert.equal(await leases.renew(renewed, a, 120_000), true);
      await sleep(200 + tolerance + 300);
      const seen = new Map((await listed(leases)).map((l) => [l.key, l]));
      assert.equal(seen.get(lapsing)?.expired, true);
      assert.equal(seen.get(renewed)?.expired, false);
      assert.deepEqual(await leases.acquire(lapsing, b, 60_000), { acquired: true }, "a lapsed lease is taken over");
      assert.equal((await leases.acquire(lapsing, c, 60_000)).acquired, false, "by one owner only");
      assert.equal(await leases.renew(lapsing, a, 60_000), false, "the old holder cannot renew what was taken over");
      await leases.release(lapsing, a);
      assert.equal((await leases.acquire(lapsing, c, 60_000)).acquired, false, "nor release it");
      assert.equal((await leases.acquire(renewed, b, 60_000)).acquired, false, "a renewed lease outlives its first ttl");
      assert.equal(await leases.clearExpired(), 1, "the one lapsed lease left is cleared");
      const left = (await listed(leases)).map((l) => l.key).sort();
      assert.deepEqual(left, [lapsing, renewed].sort());
      assert.deepEqual(await leases.acquire(cleared, c, 60_000), { acquired: true });
      for (const [key, who] of [[lapsing, b], [renewed, a], [cleared, c]] as const) await leases.release(key, who);
    });

    it("grants each lease to exactly one of several processes racing for it: free, and lapsed", async () => {
      const { store, leases } = await leasesIn();
      const rounds = 20;
      const free = Array.from({ length: rounds }, (_, i) => keyOf(`free-${i}`));
      const lapsed = Array.from({ length: rounds }, (_, i) => keyOf(`lapsed-${i}`));
      for (const key of lapsed) await leases.acquire(key, owner("dead"), 1); // a holder that never renews
      const children = options.children ?? 6;
      const stepMs = 60;
      // Start once every child has had time to load (a lapsed lease has lapsed by then, too).
      const start = Date.now() + Math.max(8_000, tolerance + 1_000);
      const plan = { config: store.toConfig(), imports: options.childImports ?? [], keys: [...free, ...lapsed], start, stepMs, ttlMs: 120_000 };
      const results = await Promise.all(Array.from({ length: children }, () => runChild(plan)));
      const winners = new Array<number>(rounds * 2).fill(0);
      for (const { won } of results) for (const round of won) winners[round]!++;
      assert.deepEqual(winners, new Array<number>(rounds * 2).fill(1), "exactly one winner per key (free keys first, then lapsed ones)");
    });
  });
}

/**
 * The child script: next to this file in the sources (`lease-child.ts`, run through the same loader as
 * the tests) and in a module tree, or `testing/lease-child.js` next to the published bundle.
 */
function childScript(): string {
  const candidates = ["./lease-child.ts", "./lease-child.js", "./testing/lease-child.js", "../testing/lease-child.js"];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`lease suite: cannot find its child script next to ${fileURLToPath(import.meta.url)}`);
}

/** Run the suite's child with `plan`; its report. */
async function runChild(plan: object): Promise<{ won: number[] }> {
  const script = childScript();
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--test"));
  const child = spawn(process.execPath, [...execArgv, script, JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code] = await once(child, "exit");
  assert.equal(code, 0, `lease child failed: ${stderr}`);
  return JSON.parse(stdout.trim()) as { won: number[] };
}
