/**
 * The SQLite file under a store's feet: deleted or replaced while this process and a second one use
 * it, and on read-only media (see `read-only-media.ts` for how that is made real under root). Real
 * files, real child processes.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { Cache, Memory, SaveError, Sql, cacheFromConfig, withCache, type CallRecord } from "../../../src/index.js";
import { SCHEMA_VERSION } from "../../../src/stores/sql/schema.js";
import { captureLogs } from "../../helpers/logs.js";
import { sessionAdd, sessionRecord } from "./children/session-record.js";
import { readOnlyMedia } from "./read-only-media.js";
import { killSessions, startSession } from "./session.js";
import { sqliteSchema5 } from "./schema-5.js";

after(killSessions);

const fresh = (name = "calls.db") => join(mkdtempSync(join(tmpdir(), "fleche-sqlite-file-")), name);
const removeDatabase = (path: string) => {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
};
const keysIn = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT key FROM calls ORDER BY key").pluck().all() as string[];
  } finally {
    db.close();
  }
};
const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("Sql on SQLite: the database file deleted or replaced while in use", () => {
  it("reopens a deleted database (with its -wal and -shm) in this process and in a second one: no later record is lost", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    store.saveCall(sessionRecord(1));
    const other = await startSession(path);
    assert.equal(other.opening, "ready");
    assert.equal(await other.ask("save 2"), "saved 2");

    removeDatabase(path); // `rm calls.db*`: the cache cleared while two processes use it
    const logs = captureLogs();
    try {
      store.saveCall(sessionRecord(3)); // detected before writing: a new database
    } finally {
      logs.restore();
    }
    assert.match(logs.warn.join("\n"), /was deleted while in use; reopened it \(a new, empty database\)/);
    assert.equal(await other.ask("save 4"), "saved 4"); // the other process follows to the new file
    assert.equal(await other.ask("has 3"), "has 3 true");
    assert.equal(await other.close(), 0);
    assert.match(other.stderr(), /was replaced while in use; reopened it/); // read once it exited: stderr is another pipe

    assert.deepEqual(keysIn(path), [sessionRecord(3).key, sessionRecord(4).key].sort(), "every record saved after the deletion is in the file");
    assert.equal(store.containsCall(sessionRecord(4).key), true);
    await store.close();
  });

  it("reopens a database replaced by another (renamed over it), keeping what the new one holds", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    store.saveCall(sessionRecord(1));
    const replacement = join(mkdtempSync(join(tmpdir(), "fleche-sqlite-new-")), "new.db");
    const maker = new Sql({ url: replacement });
    maker.saveCall(sessionRecord(5));
    await maker.close(); // checkpointed, no -wal or -shm left
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    renameSync(replacement, path);
    const logs = captureLogs();
    try {
      store.saveCall(sessionRecord(6));
    } finally {
      logs.restore();
    }
    assert.match(logs.warn.join("\n"), /was replaced while in use; reopened it/);
    assert.deepEqual(keysIn(path), [sessionRecord(5).key, sessionRecord(6).key].sort());
    assert.equal(store.containsCall(sessionRecord(1).key), false, "reads follow the new file too");
    await store.close();
  });

  it("notices a replacement without writing (within a second or so) and reads the new file", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    store.saveCall(sessionRecord(1));
    const replacement = join(mkdtempSync(join(tmpdir(), "fleche-sqlite-new-")), "new.db");
    const maker = new Sql({ url: replacement });
    maker.saveCall(sessionRecord(7));
    await maker.close();
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    renameSync(replacement, path);
    const logs = captureLogs();
    try {
      let seen = false;
      for (let attempt = 0; attempt < 200 && !seen; attempt++) {
        seen = await store.containsCall(sessionRecord(7).key);
        if (!seen) await sleep(50);
      }
      assert.ok(seen, "the store's periodic check reopened the new file");
    } finally {
      logs.restore();
    }
    await store.close();
  });

  it("refuses saves, naming the files, when the old database's -wal is left next to a new file", async () => {
    const path = fresh();
    const store = new Sql({ url: path });
    store.saveCall(sessionRecord(1));
    rmSync(path); // only the database file: its -wal and -shm stay, and would be paired with a new file
    const logs = captureLogs();
    try {
      assert.throws(() => store.saveCall(sessionRecord(2)), (e: unknown) => {
        assert.ok(e instanceof SaveError);
        assert.ok(e.message.includes(`${path} was deleted while in use`), e.message);
        assert.ok(e.message.includes(`${path}-wal`), e.message);
        return true;
      });
      assert.throws(() => store.saveCall(sessionRecord(3)), SaveError, "still refused");
      assert.equal(store.containsCall(sessionRecord(1).key), true, "reads keep working");
    } finally {
      logs.restore();
    }
    assert.equal(logs.warn.filter((w) => w.includes("still there")).length, 1, "warned once");
    assert.ok(!existsSync(path), "no new file was paired with the old WAL");
    await store.close();
  });
});

describe("Sql on SQLite: read-only media", () => {
  /** A team cache: `add(1, 2)` cached, and `records` saved, in `dir/calls.db`, closed cleanly. */
  async function teamCache(dir: string, records: readonly number[] = [1, 2]): Promise<string> {
    const path = join(dir, "calls.db");
    const store = new Sql({ url: path });
    const { add } = sessionAdd();
    await withCache(new Cache({ values: new Memory(), calls: store }), () => add(1, 2));
    for (const n of records) store.saveCall(sessionRecord(n));
    await store.close();
    return path;
  }

  it("serves hits from a WAL database on read-only media (no -shm there): a snapshot in memory; saves refused clearly", async () => {
    const source = mkdtempSync(join(tmpdir(), "fleche-team-"));
    const path = await teamCache(source);
    assert.ok(!existsSync(`${path}-shm`) && !existsSync(`${path}-wal`), "closed cleanly");
    const before = sha(path);
    const media = readOnlyMedia(source);
    try {
      const reader = await startSession(join(media.path, "calls.db"), { wrap: media.wrap });
      assert.equal(reader.opening, "ready", `${media.how}: ${reader.stderr()}`);
      assert.equal(await reader.ask("hit"), "hit 3 0", "a hit: the body did not run");
      assert.equal(await reader.ask("has 2"), "has 2 true");
      const info = JSON.parse((await reader.ask("info")).slice("info ".length)) as { readOnly?: string; schemaVersion: number };
      assert.equal(info.readOnly, "snapshot");
      assert.equal(info.schemaVersion, SCHEMA_VERSION);
      assert.match(await reader.ask("save 9"), /^refused 9 .*the database is read-only \(.*(read-only filesystem|not writable)\); not saving call/);
      assert.equal(await reader.close(), 0);
    } finally {
      media.release();
    }
    assert.equal(sha(path), before, "the file is untouched");
  });

  it("reads in place when the WAL index is there (a copy taken while a writer had it open)", async () => {
    const live = fresh();
    const writer = new Sql({ url: live });
    const { add } = sessionAdd();
    await withCache(new Cache({ values: new Memory(), calls: writer }), () => add(1, 2));
    writer.saveCall(sessionRecord(3));
    const source = mkdtempSync(join(tmpdir(), "fleche-team-"));
    for (const suffix of ["", "-wal", "-shm"]) copyFileSync(`${live}${suffix}`, join(source, `calls.db${suffix}`));
    await writer.close();
    const media = readOnlyMedia(source);
    try {
      const reader = await startSession(join(media.path, "calls.db"), { wrap: media.wrap });
      assert.equal(reader.opening, "ready", reader.stderr());
      assert.equal(await reader.ask("hit"), "hit 3 0");
      assert.equal(await reader.ask("has 3"), "has 3 true", "records still in the WAL are read");
      assert.equal(JSON.parse((await reader.ask("info")).slice(5)).readOnly, "in place");
      assert.equal(await reader.close(), 0);
    } finally {
      media.release();
    }
  });

  it("reads a database of an older schema on read-only media, upgraded in memory only", async () => {
    const source = mkdtempSync(join(tmpdir(), "fleche-team-"));
    const path = await teamCache(source, [4]);
    // The same records as a schema-5 fleche wrote them, then taken back to schema 2.
    const written = new Sql({ url: path, readOnly: true });
    const records: CallRecord[] = [];
    for await (const key of written.listCalls()) records.push(written.loadCall(key) as CallRecord);
    await written.close();
    rmSync(path);
    sqliteSchema5(path, records);
    const db = new Database(path);
    db.exec(
      "DROP TABLE value_entries; DROP TABLE leases; ALTER TABLE calls DROP COLUMN result_check; ALTER TABLE calls DROP COLUMN record_check; UPDATE fleche_schema SET version = 2",
    );
    db.close();
    const before = sha(path);
    const media = readOnlyMedia(source);
    try {
      const reader = await startSession(join(media.path, "calls.db"), { wrap: media.wrap });
      assert.equal(reader.opening, "ready", reader.stderr());
      assert.equal(await reader.ask("hit"), "hit 3 0");
      assert.equal(await reader.ask("has 4"), "has 4 true");
      assert.equal(await reader.close(), 0);
    } finally {
      media.release();
    }
    assert.equal(sha(path), before);
  });

  it("opens a writable database read-only when configured so: hits served, nothing written", async () => {
    const source = mkdtempSync(join(tmpdir(), "fleche-team-"));
    const path = await teamCache(source);
    const before = sha(path);
    const store = new Sql({ url: path, readOnly: true });
    assert.deepEqual(store.toConfig(), { type: "sql", url: `sqlite:///${path}`, read_only: true });
    const { add, runs } = sessionAdd();
    assert.equal(await withCache(new Cache({ values: new Memory(), calls: store }), () => add(1, 2)), 3);
    assert.equal(runs.count, 0);
    assert.throws(() => store.saveCall(sessionRecord(8)), /read-only \(configured read-only\); not saving call/);
    assert.throws(() => store.evictCall(sessionRecord(1).key), (e: unknown) => (e as { code?: string }).code === "FLECHE_READ_ONLY");
    await store.close();
    assert.equal(sha(path), before);
    const configured = cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", url: path, read_only: true } }) as Cache;
    assert.deepEqual(configured.toConfig(), { values: { type: "memory" }, calls: { type: "sql", url: `sqlite:///${path}`, read_only: true } });
    assert.equal((await (configured.calls as Sql).info()).readOnly, "in place");
    await configured.close();
    assert.throws(() => cacheFromConfig({ values: { type: "memory" }, calls: { type: "sql", url: path, read_only: "yes" } }), /option `read_only` of a 'sql' store must be true or false/);
    assert.equal(sha(path), before);
    assert.throws(() => new Sql({ url: join(source, "missing.db"), readOnly: true }), /does not exist, and a read-only store/);
    assert.throws(() => new Sql({ url: ":memory:", readOnly: true }), /needs a database file/);
    assert.throws(() => new Sql({ url: "postgres://h/db", readOnly: true }), /for SQLite files/);
  });
});
