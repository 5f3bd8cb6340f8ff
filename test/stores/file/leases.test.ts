/**
 * FileStore leases: the lease conformance suite (with child processes racing), and what is particular
 * to lock files next to the records: they are never listed, verified, collected or transferred as
 * entries; a half-written one counts as live for a while; clocks a few seconds apart are tolerated.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync, mkdirSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { Cache, FileStore, Memory, digest } from "../../../src/index.js";
import { leaseSuite } from "../../../src/testing/lease-suite.js";
import { SKEW_TOLERANCE_MS } from "../../../src/stores/file/leases.js";
import { allKeys } from "../../../src/stores/keys.js";
import type { LeaseInfo } from "../../../src/stores/leases.js";
import { tempDirs } from "../../helpers/temp.js";

const dir = tempDirs("file-leases");

leaseSuite({ name: "FileStore", make: () => new FileStore({ root: dir() }), toleranceMs: SKEW_TOLERANCE_MS });

const owner = (token: string) => ({ host: "h", pid: 1, token });
async function listLeases(store: FileStore): Promise<LeaseInfo[]> {
  const out: LeaseInfo[] = [];
  for await (const lease of store.leases.list()) out.push(lease);
  return out;
}
const leasePath = (root: string, key: string) => join(root, key.slice(0, 2), `${key}.lease`);

describe("FileStore lease files", () => {
  it("sit next to the record as one line of JSON naming the holder and its times", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = digest("k");
    const before = Date.now();
    assert.equal((await store.leases.acquire(key, { host: "box", pid: 77, token: "t1" }, 30_000)).acquired, true);
    const file = JSON.parse(readFileSync(leasePath(root, key), "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(file), ["host", "pid", "token", "since", "expires"]);
    assert.equal(file.host, "box");
    assert.equal(file.pid, 77);
    assert.ok((file.since as number) >= before && file.expires === (file.since as number) + 30_000);
    await store.leases.release(key, { host: "box", pid: 77, token: "t1" });
    assert.equal(existsSync(leasePath(root, key)), false);
  });

  it("are never taken for records or values: listing, verify, gc and transfer skip them", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const cache = new Cache({ values: store, calls: store });
    const key = digest("leased");
    await store.leases.acquire(key, owner("a"), 60_000);
    // A guard file and a torn lease of another key, as a killed process may leave them.
    const other = digest("other");
    mkdirSync(dirname(leasePath(root, other)), { recursive: true });
    writeFileSync(`${leasePath(root, other)}.break`, "");
    writeFileSync(leasePath(root, other), "");
    assert.deepEqual(await allKeys((p) => store.listCalls(p)), []);
    assert.deepEqual(await allKeys((p) => store.listValues(p)), []);
    const report = await store.verify({ repair: true });
    assert.deepEqual(report, { checked: 0, problems: [], removed: 0 });
    assert.equal((await cache.gc()).evicted.length, 0);
    const target = new Cache({ values: new Memory(), calls: new Memory() });
    assert.equal((await cache.transfer(target)).transferred.length, 0);
    assert.ok(existsSync(leasePath(root, key)), "the lease is untouched");
  });

  it("count a lease file that does not parse (being written) as live until it is ten seconds old", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = digest("torn");
    mkdirSync(dirname(leasePath(root, key)), { recursive: true });
    writeFileSync(leasePath(root, key), '{"host":"h","pi');
    assert.deepEqual(await store.leases.acquire(key, owner("b"), 60_000), { acquired: false });
    assert.equal(await store.leases.clearExpired(), 0);
    const old = (Date.now() - 11_000) / 1000;
    utimesSync(leasePath(root, key), old, old);
    assert.deepEqual(await store.leases.acquire(key, owner("b"), 60_000), { acquired: true });
  });

  it(`tolerate clocks ${SKEW_TOLERANCE_MS / 1000} s apart: a lease past its expiry by less is live, by more it lapsed`, async () => {
    const root = dir();
    const store = new FileStore({ root });
    const [within, beyond] = [digest("within"), digest("beyond")];
    // Written by machines whose clocks are behind ours: by our clock, their leases expired a moment ago.
    const write = (key: string, expires: number) => {
      mkdirSync(dirname(leasePath(root, key)), { recursive: true });
      writeFileSync(leasePath(root, key), `${JSON.stringify({ host: "slow", pid: 9, token: key.slice(0, 8), since: expires - 60_000, expires })}\n`);
    };
    write(within, Date.now() - SKEW_TOLERANCE_MS + 1_500);
    write(beyond, Date.now() - SKEW_TOLERANCE_MS - 1_500);
    const listed = new Map((await listLeases(store)).map((l) => [l.key, l.expired]));
    assert.deepEqual(Object.fromEntries(listed), { [within]: false, [beyond]: true });
    assert.equal((await store.leases.acquire(within, owner("me"), 60_000)).acquired, false);
    assert.equal((await store.leases.acquire(beyond, owner("me"), 60_000)).acquired, true);
  });

  it("leave no guard or temporary file behind after renewals and releases", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = digest("tidy");
    await store.leases.acquire(key, owner("a"), 100);
    for (let i = 0; i < 5; i++) assert.equal(await store.leases.renew(key, owner("a"), 100), true);
    await new Promise((resolve) => setTimeout(resolve, 150)); // past its expiry: the release takes the guard
    await store.leases.release(key, owner("a"));
    assert.deepEqual(readdirSync(join(root, key.slice(0, 2))), []);
  });

  it("are hard links to a few slot files under root/leases, reused once their lease is gone and cleared when idle", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const slots = () => readdirSync(join(root, "leases"));
    for (let i = 0; i < 10; i++) {
      const key = digest(["one at a time", i]);
      await store.leases.acquire(key, owner(`t${i}`), 60_000);
      assert.equal(statSync(leasePath(root, key)).nlink, 2, "the lease file is a second name of a slot");
      await store.leases.release(key, owner(`t${i}`));
    }
    assert.equal(slots().length, 1, "one lease at a time needs one slot");
    const [k1, k2] = [digest("held 1"), digest("held 2")];
    await store.leases.acquire(k1, owner("h1"), 60_000);
    await store.leases.acquire(k2, owner("h2"), 60_000);
    assert.equal(slots().length, 2, "a slot that is some lease file is never rewritten");
    assert.equal(JSON.parse(readFileSync(leasePath(root, k1), "utf8")).token, "h1");
    assert.equal(JSON.parse(readFileSync(leasePath(root, k2), "utf8")).token, "h2");
    // Renewing replaces the lease file by a new one: the slot is free again, and reused.
    assert.equal(await store.leases.renew(k1, owner("h1"), 60_000), true);
    assert.equal(statSync(leasePath(root, k1)).nlink, 1);
    const k3 = digest("held 3");
    await store.leases.acquire(k3, owner("h3"), 60_000);
    assert.equal(slots().length, 2);
    // Slot files linked nowhere and idle for an hour (a dead process's) go with the expired leases.
    await store.leases.release(k3, owner("h3"));
    const old = (Date.now() - 2 * 3_600_000) / 1000;
    for (const name of slots()) utimesSync(join(root, "leases", name), old, old);
    assert.equal(await store.leases.clearExpired(), 0);
    assert.equal(slots().length, 1, "the free slot went, the one holding a lease stayed");
    const k4 = digest("after clearing");
    assert.equal((await store.leases.acquire(k4, owner("h4"), 60_000)).acquired, true, "a cleared slot is replaced");
    assert.equal(JSON.parse(readFileSync(leasePath(root, k2), "utf8")).token, "h2", "and the slot of a live lease is never rewritten");
    assert.equal(slots().length, 2);
    await store.close();
    for (const [key, who] of [[k1, "h1"], [k2, "h2"], [k4, "h4"]] as const) await store.leases.release(key, owner(who));
    assert.deepEqual(await listLeases(store), []);
  });

  it("fall back to exclusive creates where slot files cannot be hard-linked (another filesystem: EXDEV)", async (t) => {
    const root = dir();
    const elsewhere = mkdtempSync(join("/dev/shm", "fleche-slots-"));
    t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
    mkdirSync(root, { recursive: true });
    symlinkSync(elsewhere, join(root, "leases")); // slots on tmpfs, lease files on the store's filesystem
    const store = new FileStore({ root });
    const key = digest("no links");
    assert.equal((await store.leases.acquire(key, owner("a"), 60_000)).acquired, true);
    assert.equal(statSync(leasePath(root, key)).nlink, 1, "a plain file, not a link");
    assert.equal((await store.leases.acquire(key, owner("b"), 60_000)).acquired, false);
    await store.leases.release(key, owner("a"));
    assert.equal((await store.leases.acquire(key, owner("b"), 60_000)).acquired, true);
    await store.leases.release(key, owner("b"));
  });

  it("count a lease of this host whose holder process is gone (or whose pid was reused) as lapsed at once", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid!; // a pid that ran and is gone
    const [gone, reused, alive] = [digest("gone"), digest("reused"), digest("alive")];
    const write = (key: string, pid: number, start?: string) => {
      mkdirSync(dirname(leasePath(root, key)), { recursive: true });
      const since = Date.now();
      writeFileSync(leasePath(root, key), `${JSON.stringify({ host: hostname(), pid, token: `t-${key.slice(0, 6)}`, since, expires: since + 600_000, ...(start ? { start } : {}) })}\n`);
    };
    write(gone, exited);
    write(reused, process.pid, "1"); // our pid, but a process started at another time
    await store.leases.acquire(alive, { host: hostname(), pid: process.pid, token: "me" }, 600_000); // this process, alive
    const expired = Object.fromEntries((await listLeases(store)).map((l) => [l.key, l.expired]));
    const onLinux = existsSync("/proc/self/stat");
    assert.deepEqual(expired, { [gone]: true, [reused]: onLinux, [alive]: false });
    assert.equal((await store.leases.acquire(gone, owner("next"), 60_000)).acquired, true, "taken over without waiting for its expiry");
    assert.equal((await store.leases.acquire(alive, owner("next"), 60_000)).acquired, false);
    assert.ok(JSON.parse(readFileSync(leasePath(root, alive), "utf8")).start, "a lease of this process records its start time");
  });
});
