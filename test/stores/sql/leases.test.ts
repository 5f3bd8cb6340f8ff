/**
 * Leases on SQL (the contract of src/stores/leases.ts): processes racing for one key, round after round,
 * on a SQLite file and on PostgreSQL: exactly one wins each round; an expired lease is taken over by
 * exactly one, and its old holder's renewal then fails; release, list, clearExpired; PostgreSQL's
 * `changed` wakes on a release made through another connection, and on abort; on SQLite, a lease goes
 * with the save of its record, and only the store that granted it removes it so.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, SaveError, Sql, digest, type CallRecord } from "../../../src/index.js";
import type { LeaseOwner, Leases } from "../../../src/stores/leases.js";
import { dropDatabases, freshDatabase, onDatabase } from "../../helpers/postgres.js";
import { tempDirs } from "../../helpers/temp.js";
import { leaseSuite } from "../../../src/testing.js";

after(dropDatabases);

const RACER = fileURLToPath(new URL("./children/lease-racer.ts", import.meta.url));
const PROCESSES = 4;
const ROUNDS = 24;
const dir = tempDirs("sql-leases");

const owner = (token: string): LeaseOwner => ({ host: "test-host", pid: 4242, token });

/** Child processes answering lease commands, one line per command each. */
class Racers {
  readonly #children: ChildProcessWithoutNullStreams[];
  readonly #lines: AsyncIterator<string>[];
  readonly #stderr: string[];

  constructor(url: string, count: number) {
    this.#children = Array.from({ length: count }, (_, i) => spawn(process.execPath, ["--import", "tsx", RACER, url, `racer${i}`]));
    this.#stderr = this.#children.map(() => "");
    this.#children.forEach((child, i) => child.stderr.on("data", (d) => (this.#stderr[i] += String(d))));
    this.#lines = this.#children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
  }

  /** Wait until every child has opened the store. */
  async ready(): Promise<void> {
    for (const line of await this.#next()) assert.equal(line, "ready");
  }

  /** Send `command` to every child at once; their answers, in child order. */
  async all(command: string): Promise<string[]> {
    for (const child of this.#children) child.stdin.write(`${command}\n`);
    return this.#next();
  }

  async #next(): Promise<string[]> {
    return Promise.all(
      this.#lines.map(async (lines, i) => {
        const next = await lines.next();
        if (next.done) throw new Error(`racer ${i} exited:\n${this.#stderr[i]}`);
        return next.value;
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once("close", () => resolve());
            child.stdin.end();
          }),
      ),
    );
  }
}

/** How many of the answers to `acquire <key>` got the lease. */
const winners = (answers: readonly string[], key: string): number =>
  answers.filter((answer) => {
    assert.match(answer, new RegExp(`^${key} [01]$`));
    return answer.endsWith(" 1");
  }).length;

const kinds: [string, () => Promise<string>][] = [
  ["SQLite", async () => `sqlite:///${join(dir(), "leases.db")}`],
  ["PostgreSQL", () => freshDatabase()],
];

for (const [kind, makeUrl] of kinds) {
  describe(`leases on ${kind}: processes racing`, () => {
    let url: string;
    let racers: Racers;
    let store: Sql;
    before(async () => {
      url = await makeUrl();
      store = new Sql({ url });
      await store.ready();
      racers = new Racers(url, PROCESSES);
      await racers.ready();
    });
    after(async () => {
      await racers.close();
      await store.close();
    });

    it(`${PROCESSES} processes ask for the same key at once, ${ROUNDS} rounds: exactly one gets it each time`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const key = digest(["race", kind, round]);
        const answers = await racers.all(`acquire ${key} 60000`);
        assert.equal(winners(answers, key), 1, `round ${round}: ${answers.join(", ")}`);
        const holders = [];
        for await (const lease of store.leases!.list()) if (lease.key === key) holders.push(lease);
        assert.equal(holders.length, 1);
        assert.match(holders[0]!.token, /^racer\d-\d+$/);
        assert.equal(holders[0]!.expired, false);
      }
    });

    it("a live lease held by another process is taken by none of them", async () => {
      const key = digest(["held", kind]);
      assert.deepEqual(await store.leases!.acquire(key, owner("parent"), 60_000), { acquired: true });
      assert.equal(winners(await racers.all(`acquire ${key} 60000`), key), 0);
    });

    it("an expired lease is taken over by exactly one of them, and its old holder can no longer renew it", async () => {
      for (let round = 0; round < 6; round++) {
        const key = digest(["takeover", kind, round]);
        const old = owner(`dead-holder-${round}`);
        assert.deepEqual(await store.leases!.acquire(key, old, 1), { acquired: true });
        await sleep(20); // the lease (1 ms) has lapsed
        const answers = await racers.all(`acquire ${key} 60000`);
        assert.equal(winners(answers, key), 1, `round ${round}: ${answers.join(", ")}`);
        assert.equal(await store.leases!.renew(key, old, 60_000), false, "taken over: the old holder's renewal fails");
        await store.leases!.release(key, old); // a no-op: it does not hold it
        const renewals = await racers.all(`renew ${key}`);
        assert.equal(renewals.filter((r) => r.endsWith("renewed 1")).length, 1, "the new holder still holds it");
      }
    });
  });

  describe(`leases on ${kind}: the contract`, () => {
    it("acquire, holder info, re-acquire by the holder, renew, release, then another owner acquires", async () => {
      const store = new Sql({ url: await makeUrl() });
      const leases = store.leases!;
      const key = digest("contract");
      const a = owner("a");
      const b = owner("b");
      const before = Date.now();
      assert.deepEqual(await leases.acquire(key, a, 60_000), { acquired: true });
      const refused = await leases.acquire(key, b, 60_000);
      assert.equal(refused.acquired, false);
      const holder = !refused.acquired ? refused.holder : undefined;
      assert.ok(holder);
      assert.deepEqual({ ...holder, since: 0, expires: 0 }, { key, host: "test-host", pid: 4242, token: "a", since: 0, expires: 0, expired: false });
      assert.ok(Math.abs(holder.since - before) < 60_000, "since is a time in milliseconds since the epoch");
      assert.ok(Math.abs(holder.expires - holder.since - 60_000) < 1000, "expires ttl after since");
      assert.equal((await leases.acquire(key, a, 60_000)).acquired, false, "not re-entrant: the holder asking again is refused");
      assert.equal(await leases.renew(key, a, 120_000), true);
      assert.equal(await leases.renew(key, b, 120_000), false, "renewing a lease one does not hold fails");
      await leases.release(key, b); // not the holder: nothing happens
      assert.equal((await leases.acquire(key, b, 60_000)).acquired, false);
      await leases.release(key, a);
      assert.deepEqual(await leases.acquire(key, b, 60_000), { acquired: true });
      await assert.rejects(async () => leases.acquire(digest("bad ttl"), a, 0), ConfigError);
      await store.close();
    });

    it("list shows live and expired leases; clearExpired removes only the expired ones", async () => {
      const store = new Sql({ url: await makeUrl() });
      const leases = store.leases!;
      const live = digest("live");
      const lapsed = [digest("lapsed 1"), digest("lapsed 2")];
      await leases.acquire(live, owner("l"), 60_000);
      for (const key of lapsed) await leases.acquire(key, owner("x"), 1);
      await sleep(20);
      const listed: [string, boolean][] = [];
      for await (const lease of leases.list()) listed.push([lease.key, lease.expired]);
      const expected: [string, boolean][] = [[live, false], ...lapsed.map((k): [string, boolean] => [k, true])];
      assert.deepEqual(listed, expected.sort((p, q) => (p[0] < q[0] ? -1 : 1)), "every lease, in key order, with whether it expired");
      assert.equal(await leases.clearExpired(), 2);
      const left: string[] = [];
      for await (const lease of leases.list()) left.push(lease.key);
      assert.deepEqual(left, [live]);
      assert.equal(await leases.clearExpired(), 0);
      await store.close();
    });
  });
}

describe("PostgreSQL: changed() with LISTEN/NOTIFY", () => {
  it("wakes a waiter on another connection when the holder releases, not before", async () => {
    const url = await freshDatabase();
    const holder = new Sql({ url });
    const waiter = new Sql({ url });
    const key = digest("notify");
    assert.deepEqual(await holder.leases!.acquire(key, owner("h"), 60_000), { acquired: true });
    let woken = false;
    const changed = waiter.leases!.changed!(key, new AbortController().signal).then(() => (woken = true));
    await sleep(300);
    assert.equal(woken, false, "no wake-up while the lease is held");
    await holder.leases!.release(key, owner("h"));
    await changed;
    assert.equal(woken, true);
    await holder.close();
    await waiter.close();
  });

  it("resolves on abort, and at once when no live lease is recorded", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const key = digest("abort");
    await store.leases!.acquire(key, owner("h"), 60_000);
    const abort = new AbortController();
    let woken = false;
    const changed = store.leases!.changed!(key, abort.signal).then(() => (woken = true));
    await sleep(200);
    assert.equal(woken, false);
    abort.abort();
    await changed;
    await store.leases!.changed!(digest("nobody holds this"), new AbortController().signal);
    await store.close();
  });

  it("wakes its waiters when the listening connection is lost; the connection closes once nobody waits", async () => {
    const url = await freshDatabase();
    const store = new Sql({ url });
    const key = digest("lost listener");
    await store.leases!.acquire(key, owner("h"), 60_000);
    const listeners = () =>
      onDatabase(url, async (client) => (await client.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'fleche-leases' AND datname = current_database()")).rows.map((r) => r.pid as number));
    let woken = false;
    const changed = store.leases!.changed!(key, new AbortController().signal).then(() => (woken = true));
    let pids: number[] = [];
    while ((pids = await listeners()).length === 0) await sleep(20); // until the waiter's connection is up
    await sleep(100);
    assert.equal(woken, false);
    await onDatabase(url, (client) => client.query("SELECT pg_terminate_backend($1)", [pids[0]]));
    await changed; // woken by the loss (the lease is still held)
    assert.equal((await store.leases!.acquire(key, owner("other"), 60_000)).acquired, false, "the lease itself is untouched");
    // A new waiter opens a new connection; once it leaves, the connection is closed (after an idle second).
    const abort = new AbortController();
    const again = store.leases!.changed!(key, abort.signal);
    while ((await listeners()).length === 0) await sleep(20);
    abort.abort();
    await again;
    while ((await listeners()).length > 0) await sleep(100); // ends when the idle connection is closed
    await store.close();
  });

  it("SQLite has no notifications: no changed(), waiters poll", async () => {
    const store = new Sql();
    assert.equal(store.leases!.changed, undefined);
    await store.close();
  });
});

describe("leases on SQLite: released with their record", () => {
  /** A record of `key` whose name may be set (a lone surrogate cannot be stored: its save fails). */
  const recordOf = (key: string, name = "f"): CallRecord => ({
    key,
    name,
    module: "test",
    version: null,
    codeDigest: null,
    arguments: { x: digest(1) },
    result: digest(2),
    metadata: {},
  });
  const leasedKeys = async (leases: Leases): Promise<string[]> => {
    const keys: string[] = [];
    for await (const lease of leases.list()) keys.push(lease.key);
    return keys;
  };

  it("the save of a record removes the lease this store granted on its key; renew and release after it change nothing", async () => {
    const url = `sqlite:///${join(dir(), "with-record.db")}`;
    const store = new Sql({ url });
    const other = new Sql({ url }); // another process on the same file
    const key = digest("filed with its record");
    const a = owner("a");
    assert.deepEqual(await store.leases!.acquire(key, a, 60_000), { acquired: true });
    await store.saveCall(recordOf(key));
    assert.deepEqual(await leasedKeys(other.leases!), [], "the lease went with the record");
    assert.ok(await other.loadCall(key), "and the record is there");
    assert.equal(await store.leases!.renew(key, a, 60_000), true, "a heartbeat after the save: ended with its record, not lost");
    await store.leases!.release(key, a);
    const b = owner("b");
    assert.deepEqual(await other.leases!.acquire(key, b, 60_000), { acquired: true }, "free for anyone");
    await store.leases!.release(key, a); // a's lease is long gone: b's stays
    assert.equal(await store.leases!.renew(key, a, 60_000), false, "a holds nothing any more");
    assert.deepEqual(await leasedKeys(store.leases!), [key]);
    await store.close();
    await other.close();
  });

  it("a save leaves leases it did not grant, and a failed save keeps the lease", async () => {
    const url = `sqlite:///${join(dir(), "not-granted.db")}`;
    const store = new Sql({ url });
    const other = new Sql({ url });
    const theirs = digest("their lease");
    assert.deepEqual(await other.leases!.acquire(theirs, owner("b"), 60_000), { acquired: true });
    await store.saveCall(recordOf(theirs));
    assert.deepEqual(await leasedKeys(store.leases!), [theirs], "another process's lease is its to release");

    const mine = digest("failed save");
    const a = owner("a");
    assert.deepEqual(await store.leases!.acquire(mine, a, 60_000), { acquired: true });
    await assert.rejects(async () => store.saveCall(recordOf(mine, "bad \ud800 name")), SaveError);
    assert.deepEqual(await leasedKeys(store.leases!), [mine, theirs].sort(), "the failed save removed nothing");
    assert.equal(await store.leases!.renew(mine, a, 60_000), true, "still held");
    await store.leases!.release(mine, a);
    assert.deepEqual(await leasedKeys(store.leases!), [theirs]);
    await store.close();
    await other.close();
  });
});

// The shared lease contract (fleche/testing), as every store with leases runs it.
leaseSuite({ name: "Sql (SQLite file)", make: () => new Sql({ url: `sqlite:///${join(tempDirs("sql-lease-suite")(), "calls.db")}` }) });
leaseSuite({ name: "Sql (PostgreSQL)", make: async () => new Sql({ url: await freshDatabase() }) });
