/**
 * Reliability with real processes: writers killed with SIGKILL mid-write, four processes sharing one
 * cache, and bad input on disk. Whatever happens, an entry loads exactly or is a miss.
 */
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Cache, CacheMiss, FileStore, FlecheError, SaveError, cache, digest } from "../../../src/index.js";
import { inlineValueOf } from "../../../src/call-record.js";
import { tempDirs } from "../../helpers/temp.js";
import { captureLogs } from "../../helpers/logs.js";
import { bundleScript } from "../../helpers/bundle.js";
import { CONCURRENCY_ARGS, CRASH_VARIANTS, concurrencyFunctions, expectedTable, largeValue, series } from "./children/workload.js";

const dir = tempDirs("file-reliability");
let crashWriter: string;
let worker: string;

before(async () => {
  const out = dir();
  crashWriter = await bundleScript("test/stores/file/children/crash-writer.ts", out);
  worker = await bundleScript("test/stores/file/children/concurrent-worker.ts", out);
});

/** Start `script` with `args`; resolves with its stdout lines once it exits. `onLine` sees lines as they come. */
function runChild(script: string, args: string[], onLine?: (line: string, kill: () => void) => void) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    onLine?.(line, () => child.kill("SIGKILL"));
  });
  return once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null, lines, stderr }));
}

const pathOf = (root: string, key: string, suffix = "") => join(root, key.slice(0, 2), `${key}${suffix}`);

describe("FileStore reliability", () => {
  it("crash safety: 20 writers of 200 large values killed at random points leave only exact entries or misses", async (t) => {
    // Writers run four at a time; each is killed a random 0-3 ms after it reports a random value as stored
    // (or right after it starts), so kills land anywhere in the 200 values, mid-write included. The
    // checks come after all kills, so a busy test process cannot delay a kill.
    const writes: { run: number; root: string; exit: Awaited<ReturnType<typeof runChild>>; after: number }[] = [];
    for (let run = 0; run < 20; run += 4) {
      writes.push(
        ...(await Promise.all(
          [0, 1, 2, 3].map(async (k) => {
            const root = dir();
            const after = Math.floor(Math.random() * 201) - 1; // -1: as soon as it is ready
            const exit = await runChild(crashWriter, [root, String(run + k)], (line, kill) => {
              if (line === (after < 0 ? "ready" : String(after))) setTimeout(kill, Math.random() * 3);
            });
            return { run: run + k, root, exit, after };
          }),
        )),
      );
    }
    for (const { run, root, exit, after } of writes) {
      assert.ok(exit.signal === "SIGKILL" || exit.lines.includes("done"), `writer ${run} failed: ${exit.stderr}`);
      // Values after the last one reported may have been in flight when the kill came; later ones never started.
      const reported = exit.lines.filter((l) => /^\d+$/.test(l)).map(Number);
      const inFlight = Math.min(199, (reported.at(-1) ?? -1) + 2);
      const options = CRASH_VARIANTS[run % CRASH_VARIANTS.length]!;
      const store = new FileStore({ root, ...options });
      const logs = captureLogs();
      let loaded = 0;
      let missed = 0;
      let records = 0;
      try {
        const exact = new Set<string>();
        const keyOf = new Map<number, string>();
        for (let i = 0; i <= inFlight; i++) {
          const expected = largeValue(run, i);
          const key = digest(expected);
          keyOf.set(i, key);
          try {
            assert.deepEqual(await store.loadValue(key), expected, `run ${run}: value ${i}`);
            exact.add(key);
            loaded++;
          } catch (error) {
            if (!(error instanceof CacheMiss)) throw error;
            missed++;
          }
        }
        for (const key of store.listCalls()) {
          const record = store.loadCall(key);
          assert.ok(record, `record ${key} loads`);
          const i = inlineValueOf(record, record.arguments.i!) as number;
          // Two-phase save: a record is written after its result, so its result is always complete.
          assert.equal(record.result, keyOf.get(i), `run ${run}: record ${i} names the right result`);
          assert.ok(exact.has(record.result!), `run ${run}: the result of record ${i} loads exactly`);
          records++;
        }
        for (let i = inFlight + 1; i < 200; i++) assert.equal(store.containsValue(digest(largeValue(run, i))), false);
        for (const key of store.listValues()) {
          if (exact.has(key)) continue;
          try {
            await store.loadValue(key); // parts of split values: each loads or misses
          } catch (error) {
            if (!(error instanceof CacheMiss)) throw error;
          }
        }
        assert.deepEqual((await store.verify()).problems, []);
      } finally {
        logs.restore();
      }
      assert.deepEqual(logs.warn, [], "nothing corrupt was found");
      // A writer killed before its first write never made its root: nothing to count there.
      const dirs = existsSync(root) ? [root, ...readdirSync(root).filter((d) => /^[0-9a-f]{2}$/.test(d)).map((d) => join(root, d))] : [];
      const temps = dirs.flatMap((d) => readdirSync(d).filter((n) => n.startsWith(".")));
      const how = exit.signal === "SIGKILL" ? `killed ${after < 0 ? "at start" : `after value ${after}`} (${reported.length} values reported)` : "finished before the kill";
      const settings = JSON.stringify(options).replace(/"secretKey":"\w+"/, '"secretKey":"…"');
      t.diagnostic(`run ${run} ${settings}: ${how}; ${records} records, ${loaded} values exact, ${missed + 199 - inFlight} misses, ${temps.length} temp files left, 0 corrupt`);
    }
  });

  it("concurrency: 4 processes calling the same cached functions on one cache agree, without errors", async (t) => {
    const root = dir();
    const results = await Promise.all([0, 1, 2, 3].map((seed) => runChild(worker, [root, String(seed)])));
    let bodyRuns = 0;
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 0, `worker ${i} failed: ${result.stderr}`);
      const report = JSON.parse(result.lines.at(-1)!) as { runs: number; wrong: string[]; warnings: string[] };
      assert.deepEqual(report.wrong, [], `worker ${i} got wrong results`);
      assert.deepEqual(report.warnings, [], `worker ${i} warned`);
      bodyRuns += report.runs;
    }
    // Every call is stored now: a fresh process over the same files hits everything and gets it right.
    const store = new FileStore({ root });
    let runs = 0;
    const f = concurrencyFunctions(() => runs++);
    const c = new Cache({ values: store, calls: store });
    {
      using _ = cache(c);
      for (const i of CONCURRENCY_ARGS) {
        assert.equal(await f.square(i), i * i);
        assert.deepEqual(await f.table(i % 12), expectedTable(i % 12));
        assert.deepEqual(await f.big(i % 6), series(i % 6, 50_000));
        assert.deepEqual(await f.concat([i % 5, 1, 2], i % 4), [i % 5, 1, 2, i % 4]);
      }
    }
    assert.equal(runs, 0, "every call was a hit");
    for (const key of store.listCalls()) assert.ok(store.loadCall(key), `record ${key} loads`);
    const report = await store.verify();
    assert.deepEqual(report.problems, []);
    const distinct = CONCURRENCY_ARGS.length + 12 + 6 + 20;
    t.diagnostic(`4 workers × ${CONCURRENCY_ARGS.length * 4} calls; ${distinct} distinct calls; bodies ran ${bodyRuns} times in total (races compute twice, never wrongly); ${report.checked} entries verified`);
  });

  describe("bad input", () => {
    async function populated() {
      const root = dir();
      const store = new FileStore({ root });
      const c = new Cache({ values: store, calls: store });
      const keys: string[] = [];
      for (const n of [1, 2, 3]) keys.push((await store.saveValue({ n, list: [n, n + 1] })) as string);
      return { root, store, c, keys };
    }

    it("truncated files and files of random bytes are misses with a warning; other entries survive", async () => {
      const { root, store, keys } = await populated();
      const record = { key: "cd".repeat(32), name: "f", module: null, version: null, codeDigest: null, arguments: {}, result: keys[2]!, metadata: {} };
      store.saveCall(record);
      truncateSync(pathOf(root, keys[0]!), 20);
      writeFileSync(pathOf(root, keys[1]!), randomBytes(300));
      const other = "ef".repeat(32);
      mkdirSync(join(root, "ef"), { recursive: true });
      writeFileSync(pathOf(root, other), Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(100)]));
      truncateSync(pathOf(root, record.key, ".json"), 30);
      const logs = captureLogs();
      try {
        for (const key of [keys[0]!, keys[1]!, other]) assert.throws(() => store.loadValue(key), CacheMiss);
        assert.equal(store.loadCall(record.key), undefined);
      } finally {
        logs.restore();
      }
      assert.equal(logs.warn.length, 4);
      for (const [i, key] of [keys[0]!, keys[1]!, other].entries()) assert.ok(logs.warn[i]!.includes(pathOf(root, key)));
      assert.deepEqual(store.loadValue(keys[2]!), { n: 3, list: [3, 4] });
    });

    it("a directory in place of an entry is a miss; a value from a newer envelope version is left in place", () => {
      const root = dir();
      const store = new FileStore({ root });
      const key = "ab".repeat(32);
      mkdirSync(pathOf(root, key), { recursive: true });
      const logs = captureLogs();
      try {
        assert.throws(() => store.loadValue(key), CacheMiss);
        const newer = "ac".repeat(32);
        mkdirSync(join(root, "ac"), { recursive: true });
        writeFileSync(pathOf(root, newer), 'FLECHE 3 - {"s":"v9","n":0}\n');
        assert.throws(() => store.loadValue(newer), CacheMiss);
        assert.ok(existsSync(pathOf(root, newer)));
      } finally {
        logs.restore();
      }
      assert.match(logs.warn.join("\n"), /newer envelope version.*left in place/);
    });

    it("a manifest from a future format version is a clear FlecheError naming it, and nothing is lost", async () => {
      const { root, keys } = await populated();
      const manifest = join(root, "fleche-store.json");
      writeFileSync(manifest, JSON.stringify({ format: "fleche-file-store", version: 3, shard: 2 }));
      const store = new FileStore({ root });
      for (const action of [() => store.loadValue(keys[0]!), () => store.saveValue([9]), () => store.loadCall("ab".repeat(32)), () => [...store.listValues()]]) {
        assert.throws(action, (e: unknown) => e instanceof FlecheError && e.code === "FLECHE_FORMAT" && e.message.includes(manifest) && /version 3/.test(e.message));
      }
      const logs = captureLogs();
      try {
        using _ = cache(new Cache({ values: store, calls: store }));
        const f = concurrencyFunctions(() => {});
        assert.equal(await f.square(7), 49, "the wrapper runs uncached");
      } finally {
        logs.restore();
      }
      assert.match(logs.warn.join("\n"), /version 3/);
      for (const key of keys) assert.ok(existsSync(pathOf(root, key)));
    });

    it("a root that is a file is a clear error naming it", async () => {
      const file = join(dir(), "not-a-dir");
      mkdirSync(join(file, ".."), { recursive: true });
      writeFileSync(file, "x");
      const store = new FileStore({ root: file });
      assert.throws(() => store.loadValue("ab".repeat(32)), (e: unknown) => e instanceof FlecheError && e.message.includes(file) && /not a directory/.test(e.message));
      const nested = new FileStore({ root: join(file, "sub") });
      assert.throws(() => nested.saveValue([1]), (e: unknown) => e instanceof FlecheError && e.message.includes(join(file, "sub")) && /a parent is a file/.test(e.message));
      const logs = captureLogs();
      try {
        using _ = cache(new Cache({ values: store, calls: store }));
        assert.deepEqual(await concurrencyFunctions(() => {}).concat([1], 2), [1, 2]);
      } finally {
        logs.restore();
      }
      assert.ok(logs.warn.length > 0);
      assert.equal(readFileSync(file, "utf8"), "x");
    });

    it("an unwritable root refuses writes with a SaveError naming the path and keeps serving reads", async (t) => {
      const { root, keys } = await populated();
      // Every shard exists and is locked, as is the root: no write can land anywhere.
      for (let i = 0; i < 256; i++) mkdirSync(join(root, i.toString(16).padStart(2, "0")), { recursive: true });
      const locked = lock([root, ...readdirSync(root).filter((n) => /^[0-9a-f]{2}$/.test(n)).map((n) => join(root, n))]);
      if (!locked) {
        t.skip("cannot make a directory unwritable here (neither chmod nor chattr works)");
        return;
      }
      try {
        const store = new FileStore({ root });
        const key = "77".repeat(32);
        assert.throws(() => store.saveValue(["new"], key), (e: unknown) => e instanceof SaveError && e.message.includes(pathOf(root, key)));
        assert.deepEqual(store.loadValue(keys[0]!), { n: 1, list: [1, 2] });
        const logs = captureLogs();
        try {
          using _ = cache(new Cache({ values: store, calls: store }));
          assert.equal(await concurrencyFunctions(() => {}).square(12), 144);
        } finally {
          logs.restore();
        }
        assert.match(logs.warn.join("\n"), /Cannot write/);
      } finally {
        locked();
      }
    });

    it("verify reports corrupt entries and stale temporary files, and repairs them", async () => {
      const { root, store, keys } = await populated();
      store.saveCall({ key: "cd".repeat(32), name: "f", module: null, version: null, codeDigest: null, arguments: {}, result: keys[0]!, metadata: {} });
      const nested = (await new FileStore({ root, minPartSize: 0 }).saveValue({ outer: { inner: [7, 8, 9] } })) as string; // split into parts
      const [child] = await store.childDigests(nested);
      const [grandchild] = await store.childDigests(child!);
      truncateSync(pathOf(root, keys[1]!), 40);
      writeFileSync(pathOf(root, "cd".repeat(32), ".json"), "{not json");
      execFileSync("rm", [pathOf(root, grandchild!)]);
      writeFileSync(join(root, keys[2]!.slice(0, 2), `.${keys[2]}.old.tmp`), "partial");
      writeFileSync(join(root, keys[2]!.slice(0, 2), `.${keys[2]}.young.tmp`), "partial");
      writeFileSync(join(root, ".incoming.killed.tmp"), "a large value whose writer was killed");
      const past = new Date(Date.now() - 3_600_000);
      (await import("node:fs")).utimesSync(join(root, keys[2]!.slice(0, 2), `.${keys[2]}.old.tmp`), past, past);
      (await import("node:fs")).utimesSync(join(root, ".incoming.killed.tmp"), past, past);

      const dry = await store.verify();
      assert.equal(dry.removed, 0);
      // Three unusable entries and the two stale temporary files (reported without repair, too).
      assert.equal(dry.problems.length, 5);
      assert.equal(dry.problems.filter((p) => /temporary file .*left by a writer that was killed/.test(p.problem)).length, 2);
      assert.match(dry.problems.map((p) => p.problem).join("\n"), /truncated[\s\S]*not a fleche call record|not a fleche call record[\s\S]*truncated/);
      assert.ok(dry.problems.some((p) => p.key === child && /missing/.test(p.problem)));

      const progress: [number, number | undefined][] = [];
      const repaired = await store.verify({ repair: true, onProgress: (done, total) => progress.push([done, total]) });
      // Three unusable entries, then the value whose part was removed (found on the second pass), and two
      // stale temporary files (one in a shard, one of a large value at the root).
      assert.equal(repaired.removed, 6);
      assert.equal(existsSync(join(root, ".incoming.killed.tmp")), false);
      assert.ok(repaired.problems.some((p) => p.key === nested && /missing/.test(p.problem)));
      assert.deepEqual(progress[0], [0, repaired.checked]);
      assert.deepEqual(progress.at(-1), [repaired.checked, repaired.checked]);
      assert.deepEqual((await store.verify()).problems, []);
      assert.deepEqual(store.loadValue(keys[0]!), { n: 1, list: [1, 2] });
      assert.ok(existsSync(join(root, keys[2]!.slice(0, 2), `.${keys[2]}.young.tmp`)), "a young temporary file may be a write in progress");
    });
  });
});

/** Make directories unwritable, even for root (chattr +i); returns the undo, or undefined when impossible. */
function lock(dirs: string[]): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    for (const d of dirs) chmodSync(d, 0o555);
    return () => dirs.forEach((d) => chmodSync(d, 0o755));
  }
  try {
    execFileSync("chattr", ["+i", ...dirs], { stdio: "ignore" });
    return () => execFileSync("chattr", ["-i", ...dirs], { stdio: "ignore" });
  } catch {
    return undefined;
  }
}
