/**
 * Leases with real processes: several processes call the same slow cached function with the same
 * arguments at the same moment, and the body runs once. A holder killed with SIGKILL mid-body is taken
 * over by exactly one other process (on the same host, and from processes posing as other hosts, where
 * the lease must lapse first); a holder whose body throws leaves no waiter hanging; clocks a few
 * seconds apart do not let a live lease be taken over. Executions are counted in a shared log the body
 * appends to; nothing here asserts a duration.
 *
 * Parametrized over the cache config: every config listed runs every test (the clock-skew case only where
 * machines with different clocks can share the store).
 */
import { after, describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { tempDirs } from "../helpers/temp.js";
import { bundleScript } from "../helpers/bundle.js";
import { dropDatabases, freshDatabase } from "../helpers/postgres.js";

const dir = tempDirs("lease-reliability");
let caller: string;

before(async () => {
  caller = await bundleScript("test/leases/children/caller.ts", dir());
});

/** Cache configs whose call store offers leases (one line each). */
// PostgreSQL: one fresh database per test (each test's calls start uncached), made before the tests.
const databases = await Promise.all(Array.from({ length: 8 }, () => freshDatabase()));
function database(): string {
  const url = databases.shift();
  if (!url) throw new Error("reliability tests: more PostgreSQL configs asked for than databases made; make more above");
  return url;
}
after(dropDatabases);

/**
 * `skew`: whether machines with different clocks can share the store (a SQLite file is on one machine,
 * whose processes share one clock, so the clock-skew case does not apply to it; PostgreSQL decides on
 * the server's clock).
 */
const CONFIGS: readonly { readonly name: string; readonly skew: boolean; readonly config: (root: string) => Record<string, unknown> }[] = [
  { name: "FileStore values and calls", skew: true, config: (root) => ({ values: { type: "file", root }, calls: { type: "file", root } }) },
  { name: "FileStore values, SQLite calls", skew: false, config: (root) => ({ values: { type: "file", root }, calls: { type: "sql", url: `sqlite:///${join(root, "calls.db")}` } }) },
  { name: "FileStore values, PostgreSQL calls", skew: true, config: (root) => ({ values: { type: "file", root }, calls: { type: "sql", url: database() } }) },
];

interface Outcome {
  readonly arg: number;
  readonly result?: { arg: number; value: number };
  readonly error?: string;
}

interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: string | null; outcomes: Outcome[]; stderr: string }>;
}

function start(plan: object): Running {
  const child = spawn(process.execPath, [caller, JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const done = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as string | null,
    outcomes: stdout.trim() ? stdout.trim().split("\n").map((line) => JSON.parse(line) as Outcome) : [],
    stderr,
  }));
  return { child, done };
}

/** Executions per argument, from the shared log: arg → pids that started the body. */
function executions(log: string): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  if (!existsSync(log)) return runs;
  for (const line of readFileSync(log, "utf8").trim().split("\n")) {
    const [pid, , arg] = line.split(" ");
    runs.set(Number(arg), [...(runs.get(Number(arg)) ?? []), Number(pid)]);
  }
  return runs;
}

/** Children get this long to start before the first call (a start time shared through the clock). */
const STARTUP_MS = 4_000;

for (const { name, config, skew } of CONFIGS) {
  describe(`leases across processes: ${name}`, () => {
    for (const processes of [2, 8]) {
      it(`${processes} processes calling at the same moment run the body exactly once, 20 times over`, async () => {
        const root = dir();
        const log = join(root, "..", `${name.length}-${processes}-${Date.now()}.log`);
        const reps = 20;
        const first = Date.now() + STARTUP_MS;
        // Each repetition is a new argument; every process calls it at the same wall-clock moment.
        const plan = { config: config(root), reps: Array.from({ length: reps }, (_, i) => ({ arg: i, at: first + i * 500 })), ms: 150, log, mode: "ok" };
        const results = await Promise.all(Array.from({ length: processes }, () => start(plan).done));
        for (const result of results) {
          assert.equal(result.code, 0, result.stderr);
          assert.deepEqual(
            result.outcomes,
            Array.from({ length: reps }, (_, i) => ({ arg: i, result: { arg: i, value: i * 7 } })),
            "every process returns the right value for every repetition",
          );
        }
        const runs = executions(log);
        for (let i = 0; i < reps; i++) assert.equal(runs.get(i)?.length, 1, `repetition ${i}: executions ${JSON.stringify(runs.get(i))}`);
      });
    }

    for (const where of ["on this host (its pid is gone: taken over at once)", "on other hosts (taken over once its ttl lapsed)"]) {
      it(`a holder killed mid-body (SIGKILL) is taken over by exactly one other process, ${where}`, async () => {
        const sameHost = where.startsWith("on this host");
        for (let rep = 0; rep < 2; rep++) {
          const root = dir();
          const arg = (sameHost ? 100 : 110) + rep;
          const log = join(root, "..", `kill-${arg}-${Date.now()}.log`);
          // ttl 1 s: the holder renews every 333 ms. On this host a dead holder's lease is taken over at the
          // next poll; from another host, once it lapsed (ttl plus the store's clock-skew tolerance).
          const plan = { config: config(root), reps: [{ arg, at: Date.now() + STARTUP_MS }], ms: 3_000, log, mode: "ok", lease: { ttl: 1 } };
          const children = Array.from({ length: 4 }, (_, i) => start(sameHost ? plan : { ...plan, host: `machine-${i}` }));
          let holder: number | undefined;
          while (holder === undefined) {
            await sleep(20);
            holder = executions(log).get(arg)?.[0];
          }
          const victim = children.find((c) => c.child.pid === holder)!;
          victim.child.kill("SIGKILL");
          const results = await Promise.all(children.map((c) => c.done));
          const runs = executions(log).get(arg)!;
          assert.equal(runs.length, 2, `the killed holder and exactly one successor ran the body: ${JSON.stringify(runs)}`);
          assert.equal(runs[0], holder);
          for (const [i, result] of results.entries()) {
            if (children[i] === victim) {
              assert.equal(result.signal, "SIGKILL");
              continue;
            }
            assert.equal(result.code, 0, result.stderr);
            assert.deepEqual(result.outcomes, [{ arg, result: { arg, value: arg * 7 } }]);
          }
        }
      });
    }

    it("a holder whose body throws leaves no waiter hanging: each gets a result or the error of its own run", async () => {
      const root = dir();
      const log = join(root, "..", `throw-${Date.now()}.log`);
      const plan = { config: config(root), reps: [{ arg: 200, at: Date.now() + STARTUP_MS }], ms: 400, log, mode: "throw-first" };
      const children = Array.from({ length: 4 }, () => start(plan));
      const results = await Promise.all(children.map((c) => c.done));
      const runs = executions(log).get(200)!;
      assert.equal(runs.length, 2, `the thrower, then exactly one other process, ran the body: ${JSON.stringify(runs)}`);
      for (const [i, result] of results.entries()) {
        assert.equal(result.code, 0, result.stderr);
        const [outcome] = result.outcomes;
        const pid = children[i]!.child.pid!;
        if (outcome?.error !== undefined) {
          assert.equal(pid, runs[0], "only the thrower gets an error");
          assert.equal(outcome.error, `boom from ${pid}`, "and it is the error of its own run");
        } else {
          assert.deepEqual(outcome, { arg: 200, result: { arg: 200, value: 1400 } });
        }
      }
      assert.equal(results.filter((r) => r.outcomes[0]?.error !== undefined).length, 1);
    });

    if (skew) it("processes whose clocks are 4 s apart still run the body once (a live lease is never taken over)", async () => {
      const root = dir();
      const log = join(root, "..", `skew-${Date.now()}.log`);
      const reps = 5;
      const first = Date.now() + STARTUP_MS;
      // ttl 1 s and a 2.5 s body: by the fast clock, the slow holder's lease looks 3 s past its expiry
      // between heartbeats, within the file store's 5 s tolerance.
      const base = { config: config(root), reps: Array.from({ length: reps }, (_, i) => ({ arg: 300 + i, at: first + i * 3_500 })), ms: 2_500, log, mode: "ok", lease: { ttl: 1 } };
      const results = await Promise.all([start({ ...base, skewMs: 2_000 }).done, start({ ...base, skewMs: -2_000 }).done, start({ ...base, skewMs: -2_000 }).done]);
      for (const result of results) {
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(result.outcomes.map((o) => o.result?.value), Array.from({ length: reps }, (_, i) => (300 + i) * 7));
      }
      const runs = executions(log);
      for (let i = 0; i < reps; i++) assert.equal(runs.get(300 + i)?.length, 1, `repetition ${i}: ${JSON.stringify(runs.get(300 + i))}`);
    });
  });
}
