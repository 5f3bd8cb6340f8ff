/**
 * The wrapper's side of leases, in one process: two caches over one file store stand for two processes
 * (each cache has its own single flight, each call its own lease owner). Hits take no lease; a waiter
 * returns the holder's result without running the body and logs its wait once; a failed body releases
 * the lease and the waiter computes; `wait` bounds a wait; `lease: false` opts out; reruns, memory
 * caches, pools and read-only views take none; stacks take the deepest layer's.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { readConfigFile } from "../../src/config/load.js";
import type { CacheConfig } from "../../src/cache-core.js";
import { dirname, join } from "node:path";
import { Cache, CachePool, type CacheLike, CacheStack, ConfigError, FileStore, Memory, SizeLimited, cacheFromConfig, fleche, withCache } from "../../src/index.js";
import { registerBuiltinStores } from "../../src/stores/builtin.js";
import { leasesOf, type LeaseOwner, type Leases } from "../../src/stores/leases.js";
import { tempDirs } from "../helpers/temp.js";
import { captureLogs } from "../helpers/logs.js";

registerBuiltinStores();
const dir = tempDirs("lease-wrapper");
const other: LeaseOwner = { host: "elsewhere", pid: 1, token: "other-process" };

/** A file cache whose lease calls are counted (the store's own leases, observed). */
function fileCache(root = dir(), options: { lease?: false | { ttl?: number; wait?: number } } = {}) {
  const store = new FileStore({ root });
  const leases = store.leases as Leases & Record<string, unknown>;
  const calls = { acquire: [] as number[], release: 0 };
  const acquire = leases.acquire.bind(leases);
  const release = leases.release.bind(leases);
  leases.acquire = (key: string, owner: LeaseOwner, ttlMs: number) => (calls.acquire.push(ttlMs), acquire(key, owner, ttlMs));
  leases.release = (key: string, owner: LeaseOwner) => (calls.release++, release(key, owner));
  const cache = new Cache({ values: store, calls: store, ...options });
  return { root, store, cache, calls };
}

const leaseFiles = (root: string) =>
  readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).filter((n) => n.includes(".lease")));

function counted<T>(body: (x: number) => Promise<T> | T, options: Parameters<typeof fleche>[1] = {}) {
  const runs = { n: 0 };
  const f = fleche(
    async function leased(x: number) {
      runs.n++;
      return body(x);
    },
    { module: "fleche-test:lease-wrapper", ...options },
  );
  return { f, runs };
}

describe("leases in the wrapper", () => {
  it("takes no lease on a hit, and one per miss (released after the record is filed)", async () => {
    const { root, cache, calls } = fileCache();
    const { f, runs } = counted((x) => x * 2);
    await withCache(cache, async () => {
      assert.equal(await f(1), 2);
      assert.deepEqual(calls.acquire, [60_000], "the default ttl is 60 s");
      assert.equal(calls.release, 1);
      for (let i = 0; i < 5; i++) assert.equal(await f(1), 2);
    });
    assert.equal(runs.n, 1);
    assert.equal(calls.acquire.length, 1, "hits take no lease");
    assert.deepEqual(leaseFiles(root), []);
  });

  it("makes a second process wait for the holder's record instead of running the body, logging the wait once", async () => {
    const root = dir();
    const a = fileCache(root);
    const b = fileCache(root);
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const { f, runs } = counted(async (x) => (await gate, x + 1));
    const logs = captureLogs();
    try {
      const first = withCache(a.cache, () => f(41));
      while (runs.n === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = withCache(b.cache, () => f(41));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the waiter polls many times meanwhile
      finish();
      assert.deepEqual(await Promise.all([first, second]), [42, 42]);
    } finally {
      logs.restore();
    }
    assert.equal(runs.n, 1);
    assert.equal(logs.debug.filter((m) => m.startsWith("Waiting for leased")).length, 1, logs.debug.join("\n"));
    assert.match(logs.debug.find((m) => m.startsWith("Waiting for leased"))!, /being computed by pid \d+ on /);
    assert.deepEqual(leaseFiles(root), []);
  });

  it("releases at once when the body throws; the waiter then computes, and errors are never cached", async () => {
    const root = dir();
    const a = fileCache(root);
    const b = fileCache(root);
    let fail = true;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const { f, runs } = counted(async (x) => {
      const failing = fail;
      fail = false;
      await gate;
      if (failing) throw new Error("boom");
      return x;
    });
    const first = withCache(a.cache, () => f(7));
    while (runs.n === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = withCache(b.cache, () => f(7));
    await new Promise((resolve) => setTimeout(resolve, 50));
    finish();
    await assert.rejects(first, /boom/);
    assert.equal(await second, 7);
    assert.equal(runs.n, 2);
    assert.deepEqual(leaseFiles(root), []);
  });

  it("releases when the body returns undefined (never cached): the waiter then computes", async () => {
    const root = dir();
    const a = fileCache(root);
    const b = fileCache(root);
    let first = true;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const { f, runs } = counted(async (x) => {
      const undefinedNow = first;
      first = false;
      await gate;
      return undefinedNow ? undefined : x;
    });
    const logs = captureLogs();
    try {
      const holder = withCache(a.cache, () => f(9));
      while (runs.n === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const waiter = withCache(b.cache, () => f(9));
      await new Promise((resolve) => setTimeout(resolve, 50));
      finish();
      assert.deepEqual(await Promise.all([holder, waiter]), [undefined, 9]);
    } finally {
      logs.restore();
    }
    assert.equal(runs.n, 2);
    assert.deepEqual(leaseFiles(root), []);
  });

  it("looks the record up again right after acquiring (a holder may have filed it since the miss)", async () => {
    const root = dir();
    const a = fileCache(root);
    const b = fileCache(root);
    const { f, runs } = counted((x) => x * 3);
    // The record lands between b's miss and b's acquire: b must return it without running the body.
    const leases = b.store.leases as Leases & Record<string, unknown>;
    const acquire = leases.acquire.bind(leases);
    leases.acquire = async (key: string, owner: LeaseOwner, ttl: number) => {
      await withCache(a.cache, () => f(5));
      return acquire(key, owner, ttl);
    };
    assert.equal(await withCache(b.cache, () => f(5)), 15);
    assert.equal(runs.n, 1, "only a's call ran the body");
    assert.deepEqual(leaseFiles(root), []);
  });

  it("uses the store's `changed` notification, when it has one, to wake a waiter (and cleans up its wait)", async () => {
    const root = dir();
    const a = fileCache(root);
    const b = fileCache(root);
    // A notifying store: `changed` resolves at the next release of the key (as a PostgreSQL NOTIFY would).
    const waiting = new Set<() => void>();
    const signals: AbortSignal[] = [];
    for (const { store } of [a, b]) {
      const leases = store.leases as Leases & Record<string, unknown>;
      const release = leases.release.bind(leases);
      leases.release = async (key: string, owner: LeaseOwner) => {
        await release(key, owner);
        for (const wake of waiting) wake();
      };
      leases.changed = (_key: string, signal: AbortSignal) => {
        signals.push(signal);
        return new Promise<void>((resolve) => {
          const wake = () => (waiting.delete(wake), resolve());
          waiting.add(wake);
          signal.addEventListener("abort", wake, { once: true });
        });
      };
    }
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const { f, runs } = counted(async (x) => (await gate, x * 10));
    const first = withCache(a.cache, () => f(4));
    while (runs.n === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = withCache(b.cache, () => f(4));
    while (signals.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    finish();
    assert.deepEqual(await Promise.all([first, second]), [40, 40]);
    assert.equal(runs.n, 1);
    assert.ok(signals.length >= 1, "the waiter waited on `changed`");
    assert.ok(signals.every((signal) => signal.aborted), "every wait was ended (no listener left behind)");
  });

  it("gives up after `wait` seconds and runs the body itself", async () => {
    const { root, store, cache } = fileCache();
    const { f, runs } = counted((x) => x, { lease: { wait: 0.1 } });
    const key = await withCache(cache, () => f.digest(3));
    await store.leases.acquire(key, other, 60_000); // another process holds it and never files
    assert.equal(await withCache(cache, () => f(3)), 3);
    assert.equal(runs.n, 1);
    assert.equal(leaseFiles(root).length, 1, "the other process's lease is left alone");
  });

  it("takes no lease with `lease: false`, on the function or on the cache; a function's options win key by key", async () => {
    const plain = fileCache(undefined, { lease: false });
    const { f } = counted((x) => x);
    await withCache(plain.cache, () => f(1));
    assert.deepEqual(plain.calls.acquire, []);
    const leased = fileCache(undefined, { lease: { ttl: 5, wait: 10 } });
    const off = counted((x) => x, { lease: false });
    await withCache(leased.cache, () => off.f(1));
    assert.deepEqual(leased.calls.acquire, []);
    const own = counted((x) => x, { lease: { ttl: 2 } });
    await withCache(leased.cache, () => own.f(2));
    await withCache(leased.cache, () => f(3));
    assert.deepEqual(leased.calls.acquire, [2_000, 5_000]);
  });

  it("takes no lease on a rerun, which always runs the body", async () => {
    const { cache, calls } = fileCache();
    const { f, runs } = counted((x) => x);
    await withCache(cache, async () => {
      await f(1);
      await f.rerun(1);
    });
    assert.equal(runs.n, 2);
    assert.equal(calls.acquire.length, 1);
  });

  it("knows which caches offer leases: files yes, memory, pools and read-only views no, stacks their deepest layer's", () => {
    const file = fileCache().cache;
    const memory = new Cache({ values: new Memory(), calls: new Memory() });
    assert.equal(file.leasing()?.leases, leasesOf(file.calls));
    assert.equal(memory.leasing(), undefined);
    assert.equal((new CachePool([file]) as CacheLike).leasing?.(), undefined);
    assert.equal((file.readOnly() as CacheLike).leasing?.(), undefined);
    assert.equal((file.filter({ name: "x" }) as CacheLike).leasing?.(), undefined);
    assert.equal(new SizeLimited(file, { maxSize: 10 }).leasing()?.leases, leasesOf(file.calls));
    const deeper = fileCache().cache;
    assert.equal(new CacheStack([memory, file, deeper]).leasing()?.leases, leasesOf(deeper.calls));
    assert.equal(new CacheStack([file, deeper.readOnly()]).leasing()?.leases, leasesOf(file.calls));
    assert.equal(new CacheStack([memory]).leasing(), undefined);
  });

  it("reads `lease` from cache configs and writes it back, and rejects bad settings naming the key", () => {
    const root = dir();
    const built = cacheFromConfig({ template: "file", root, lease: { ttl: 30, wait: 600 } }) as Cache;
    assert.deepEqual(built.leasing()?.options, { ttl: 30, wait: 600 });
    assert.deepEqual((built.toConfig() as Record<string, unknown>).lease, { ttl: 30, wait: 600 });
    const off = cacheFromConfig({ values: { type: "file", root }, calls: { type: "file", root }, lease: false }) as Cache;
    assert.equal(off.leasing(), undefined);
    assert.equal((cacheFromConfig(off.toConfig()) as Cache).leasing(), undefined);
    assert.equal("lease" in (cacheFromConfig({ template: "file", root }).toConfig() as object), false, "defaults are not written");
    const toml = join(dir(), "fleche.toml");
    mkdirSync(dirname(toml), { recursive: true });
    writeFileSync(toml, `[main]\ntemplate = "file"\nroot = "${root}"\nlease = { ttl = 30, wait = inf }\n`);
    const fromToml = cacheFromConfig((readConfigFile(toml).data as { main: CacheConfig }).main) as Cache;
    assert.deepEqual(fromToml.leasing()?.options, { ttl: 30, wait: Infinity });
    assert.throws(() => cacheFromConfig({ template: "file", root, lease: { tll: 3 } }, "my.toml [cache]"), (e: Error) => e instanceof ConfigError && /my\.toml \[cache\]: `lease`.*unknown option `tll`.*did you mean `ttl`/.test(e.message));
    assert.throws(() => cacheFromConfig({ template: "file", root, lease: "yes" }), /`lease` must be true, false or a table/);
    assert.throws(() => fleche((x: number) => x, { lease: { ttl: 0 } }), (e: Error) => e instanceof ConfigError && /`lease`: `ttl` must be a finite number of seconds > 0/.test(e.message));
    assert.throws(() => fleche((x: number) => x, { lease: { wait: -1 } }), /`wait` must be a number of seconds ≥ 0/);
    assert.throws(() => new Cache({ values: new Memory(), calls: new Memory(), lease: { ttl: Infinity } }), /`ttl` must be a finite number/);
  });
});
