/**
 * The touch protocol of docs/gc.md on real files: reuse refreshes, a commit re-touches its arguments
 * and refuses a record whose argument is gone, a record committed in the middle of a pass keeps its
 * values, and a conditional eviction caught half-way (its tomb) never loses a touched value. Two Cache
 * objects over one directory have separate in-process registries, as two processes do.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, renameSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { Cache, CacheMiss, FileStore, Hdf5Store, Rejected, digest, type CallRecord } from "../../src/index.js";
import { Call } from "../../src/call.js";
import { tombOf } from "../../src/stores/file/touch.js";
import { REPO, TSX, tempDir } from "../helpers/project.js";
import { RETOUCH_AFTER_MS } from "../../src/call-filing.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const identity = { name: "f", module: "gc-touch", version: 1, codeDigest: null };
const big = (tag: unknown) => ({ tag, pad: "p".repeat(300), parts: [[tag, 1], { deep: [tag] }] });
const HOUR = 3600_000;

type Kind = "file" | "hdf5";

/** Two caches over one root: one writes, the other collects (separate registries, like two processes). */
function pair(kind: Kind): { writer: Cache; collector: Cache; valuesDir: string } {
  const root = tempDir(`fleche-gc-touch-${kind}-`);
  const open = () => {
    if (kind === "file") return new Cache({ values: new FileStore({ root: join(root, "values"), minPartSize: 0 }), calls: new FileStore({ root: join(root, "calls") }) });
    const store = new Hdf5Store({ root: join(root, "h5") });
    return new Cache({ values: store, calls: store });
  };
  return { writer: open(), collector: open(), valuesDir: join(root, kind === "file" ? "values" : "h5") };
}

/** Date every value file back `ms`: what an orphan left long ago looks like. */
function age(dir: string, ms = HOUR): void {
  const then = (Date.now() - ms) / 1000;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) utimesSync(path, then, then);
  }
}

for (const kind of ["file", "hdf5"] as const) {
  describe(`the touch protocol (${kind === "file" ? "FileStore" : "Hdf5Store"})`, () => {
    it("a record committed in the middle of a pass (marking or sweeping) keeps the old values it reuses", async () => {
      const { writer, collector, valuesDir } = pair(kind);
      await writer.save(Call.of(identity, { anchor: "small values travel in the record" }), 1); // something to mark
      for (const value of [big("argument"), big("result"), ...Array.from({ length: 8 }, (_, i) => big(`other ${i}`))]) await writer.values.saveValue(value);
      for (const phase of ["mark", "sweep"] as const) {
        age(valuesDir); // every value is an hour old again, the ones reused below included
        let saving: Promise<string> | undefined;
        const report = await collector.gc({
          grace: 60,
          onProgress: (p) => {
            if (p === phase && !saving) saving = writer.save(Call.of(identity, { x: big("argument"), phase }), big("result"));
          },
        });
        const key = await saving!;
        for (const reused of [big("argument"), big("result")]) assert.ok(!report.evicted.includes(digest(reused)), `reused during the ${phase} phase: spared`);
        const stored = await collector.load(key);
        assert.deepEqual(await stored.argument("x"), big("argument"));
        assert.deepEqual(await stored.result(), big("result"));
      }
      assert.ok((await collector.valueKeys()).length >= 2);
    });

    it("a commit touches its arguments again, so a pass after a long body keeps them", async () => {
      const { writer, collector, valuesDir } = pair(kind);
      const prepared = await writer.prepare(Call.of(identity, { x: big("long body") }));
      await sleep(RETOUCH_AFTER_MS + 50); // a body longer than the commit's re-touch window
      age(valuesDir); // ...which ran for an hour: the argument's file is an hour old
      const before = Date.now();
      await prepared.commit(big("done"));
      const writtenAt = await collector.values.valueWrittenAt!(digest(big("long body")));
      assert.ok(writtenAt !== undefined && writtenAt > before - 1000, "touched at the commit");
      const report = await collector.gc({ grace: 60 });
      assert.deepEqual(report.evicted, []);
      assert.deepEqual(await (await collector.load(prepared.key)).argument("x"), big("long body"));
    });

    it("a commit whose argument was collected while the body ran files no record", async () => {
      const { writer, collector, valuesDir } = pair(kind);
      const prepared = await writer.prepare(Call.of(identity, { x: big("collected") }));
      await sleep(RETOUCH_AFTER_MS + 50);
      age(valuesDir); // the body ran for an hour
      const report = await collector.gc({ grace: 60 }); // another process: it cannot see the open call
      assert.ok(report.evicted.includes(digest(big("collected"))));
      await assert.rejects(prepared.commit(big("result")), (error: unknown) => error instanceof Rejected && /left the value store while the call ran/.test(error.message));
      assert.deepEqual(await collector.callKeys(), [], "no record refers to a value that is gone");
    });
  });
}

describe("FileStore's conditional eviction, caught half-way", () => {
  const store = () => new FileStore({ root: join(tempDir("fleche-gc-tomb-"), "values"), minPartSize: 0 }); // every part split
  const pathOf = (s: FileStore, key: string) => join(s.root, key.slice(0, 2), key);

  it("a touch takes back a value a conditional eviction holds aside (or a killed gc left there)", async () => {
    const s = store();
    const key = await s.saveValue(big("aside"));
    renameSync(pathOf(s, key), tombOf(pathOf(s, key))); // the eviction's first step
    assert.equal(s.touchValue(key), true);
    assert.ok(existsSync(pathOf(s, key)) && !existsSync(tombOf(pathOf(s, key))));
    assert.deepEqual(await s.loadValue(key), big("aside"));
    assert.equal(s.evictValueIfStale(key, Date.now() - 60_000), false, "touched: the eviction keeps it");
  });

  it("a value held aside still counts as stored (a reference check must not remove its record)", async () => {
    const s = store();
    const key = await s.saveValue(big("counted"));
    renameSync(pathOf(s, key), tombOf(pathOf(s, key)));
    assert.equal(s.containsValue(key), true);
    assert.equal(s.evictValueIfStale(key, Date.now() + 60_000), false, "not ours to decide: nothing under its name");
    renameSync(tombOf(pathOf(s, key)), pathOf(s, key));
    assert.equal(s.evictValueIfStale(key, Date.now() + 60_000), true);
    assert.equal(s.containsValue(key), false);
  });

  it("gc's mark reads the parts of a value held aside from its tomb", async () => {
    const s = store();
    const key = await s.saveValue(big("marked"));
    const parts = await s.childDigests(key);
    assert.ok(parts.length > 0, "the value has parts");
    renameSync(pathOf(s, key), tombOf(pathOf(s, key)));
    assert.deepEqual(await s.childDigests(key), parts);
  });

  it("a value whose part is held aside is a miss, and is not removed as corrupt", async () => {
    const s = store();
    const key = await s.saveValue(big("whole"));
    const [part] = await s.childDigests(key);
    renameSync(pathOf(s, part!), tombOf(pathOf(s, part!)));
    assert.throws(() => s.loadValue(key), CacheMiss);
    assert.ok(existsSync(pathOf(s, key)), "the value's own file stays");
    renameSync(tombOf(pathOf(s, part!)), pathOf(s, part!)); // the eviction puts it back
    assert.deepEqual(await s.loadValue(key), big("whole"));
  });

  it("a value touched before the eviction's rename is put back; an old one is removed", async () => {
    const s = store();
    const fresh = await s.saveValue(big("fresh"));
    const old = await s.saveValue("o".repeat(400));
    age(s.root);
    const cutoff = Date.now() - 60_000;
    assert.equal(s.touchValue(fresh), true);
    assert.equal(s.evictValueIfStale(fresh, cutoff), false);
    assert.equal(s.evictValueIfStale(old, cutoff), true);
    assert.ok(existsSync(pathOf(s, fresh)) && !existsSync(pathOf(s, old)));
    const leftovers = readdirSync(s.root, { recursive: true }) as string[];
    assert.deepEqual(leftovers.filter((n) => n.endsWith(".tomb")), [], "no tomb stays behind");
  });
});

describe("touching what others wrote", () => {
  it("Hdf5Store: removing an entry keeps its prefix file's mtime, so its neighbours stay as old as they were", async () => {
    const store = new Hdf5Store({ root: join(tempDir("fleche-gc-h5-"), "h5") });
    const [a, b] = ["aa".padEnd(64, "1"), "aa".padEnd(64, "2")]; // one prefix file
    await store.saveValue(big("a"), a);
    await store.saveValue(big("b"), b);
    age(store.root);
    const before = store.valueWrittenAt(b)!;
    assert.ok(before < Date.now() - HOUR / 2);
    assert.equal(await store.evictValueIfStale(a, Date.now() - 60_000), true);
    assert.equal(await store.containsValue(a), false);
    const after = store.valueWrittenAt(b)!;
    assert.ok(Math.abs(after - before) < 1, `the rebuilt file keeps the mtime (${before} → ${after})`);
    assert.equal(await store.evictValueIfStale(b, Date.now() - 60_000), true, "so the neighbour goes in the same pass");
  });

  // Only a file's owner may set its times: a second user is needed, which only root can be.
  if (process.getuid?.() === 0) {
    it("FileStore: a value another user wrote is touched by copying it (same bytes, fresh mtime)", async () => {
      const root = tempDir("fleche-gc-owner-");
      chmodSync(root, 0o777);
      const store = new FileStore({ root: join(root, "values"), minPartSize: 0 });
      const key = await store.saveValue(big("shared team cache"));
      chmodSync(store.root, 0o777); // a team cache: every user may add files to its directories
      for (const name of readdirSync(store.root)) if (statSync(join(store.root, name)).isDirectory()) chmodSync(join(store.root, name), 0o777);
      age(store.root);
      const path = join(store.root, key.slice(0, 2), key);
      const script = `const { FileStore } = await import(${JSON.stringify(join(REPO, "src/index.ts"))});
        const store = new FileStore({ root: ${JSON.stringify(store.root)}, minPartSize: 0 });
        process.stdout.write(String(store.touchValue(${JSON.stringify(key)})));`;
      const child = spawnSync(process.execPath, ["--import", TSX, "--input-type=module", "-e", script], { uid: 65534, gid: 65534, env: { PATH: process.env.PATH, HOME: root }, encoding: "utf8" });
      assert.equal(child.stdout, "true", child.stderr);
      assert.equal(statSync(path).uid, 65534, "the copy belongs to the user who touched it");
      assert.ok(statSync(path).mtimeMs > Date.now() - 60_000, "fresh");
      assert.deepEqual(await store.loadValue(key), big("shared team cache"));
    });
  }
});

describe("a record's digest-only references", () => {
  it("are touched when present and kept as references when absent, as before", async () => {
    const root = tempDir("fleche-gc-ref-");
    const c = new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new FileStore({ root: join(root, "calls") }) });
    const stored = await c.values.saveValue(big("referenced"));
    const absent = digest(big("never stored"));
    const { D } = await import("../../src/index.js");
    const key = await c.save(Call.of(identity, { a: D(stored), b: D(absent) }), big("r"));
    const record = (await c.loadRecord(key)) as CallRecord;
    assert.deepEqual(record.arguments, { a: stored, b: absent });
  });
});
