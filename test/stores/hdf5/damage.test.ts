/**
 * Real damaged files: bytes flipped in an entry's data or object header, truncated files, files that are
 * not HDF5 at all. A damaged entry is a miss with a warning; the other entries of its file stay readable.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CacheMiss, Hdf5Store, digest } from "../../../src/index.js";
import { sampleRecord } from "../../../src/testing/call-store.js";
import { captureLogs } from "../../helpers/logs.js";
import { KEY, tempRoot } from "./helpers.js";
import { loadH5wasm } from "../../../src/stores/hdf5/h5wasm.js";
import { fixedString, writeNode } from "../../../src/stores/hdf5/codec/write-plan.js";
import { Attr, Tag } from "../../../src/stores/hdf5/codec/format.js";

const A = KEY("ab01");
const B = KEY("ab02");
const arrayA = () => Float64Array.from({ length: 2000 }, (_, i) => i + 0.5);
const valueB = () => ({ note: "fine", data: [1, 2, 3] });

/** A store whose file ab.h5 holds A (a Float64Array) and B (an object). */
async function twoEntries(options: { prefixLength?: number } = {}): Promise<{ root: string; file: (key: string) => string }> {
  const root = tempRoot("damage");
  const store = new Hdf5Store({ root, ...options });
  await store.saveValue(arrayA(), A);
  await store.saveValue(valueB(), B);
  await store.close();
  return { root, file: (key) => join(root, options.prefixLength === 0 ? `${key}.h5` : `${key.slice(0, 2)}.h5`) };
}

/** Flip one byte of `path` at `offset`. */
function flip(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ 0xff;
  writeFileSync(path, bytes);
}

/** File offset of the object header of `name`, as HDF5 itself reports it (through h5py). */
function headerAddress(path: string, name: string): number {
  const script = "import h5py, sys; f = h5py.File(sys.argv[1], 'r'); print(h5py.h5o.get_info(f[sys.argv[2]].id).addr)";
  return Number(execFileSync("/usr/bin/python3", ["-c", script, path, name], { encoding: "utf8" }).trim());
}

async function expectMiss(store: Hdf5Store, key: string, logs: { warn: string[] }, reason: RegExp): Promise<void> {
  const before = logs.warn.length;
  await assert.rejects(async () => store.loadValue(key), CacheMiss);
  const warnings = logs.warn.slice(before).join("\n");
  assert.match(warnings, new RegExp(key));
  assert.match(warnings, reason);
}

describe("Hdf5Store with damaged files", () => {
  it("misses an entry whose data bytes changed, and keeps the other entry of the file", async () => {
    const { root, file } = await twoEntries();
    const offset = readFileSync(file(A)).indexOf(Buffer.from(Float64Array.of(1000.5).buffer));
    assert.ok(offset > 0);
    flip(file(A), offset + 3);
    const logs = captureLogs();
    try {
      const store = new Hdf5Store({ root });
      await expectMiss(store, A, logs, /do not match their checksum/);
      assert.deepStrictEqual(await store.loadValue(B), valueB());
      assert.equal(await store.containsValue(A), false, "a key known to be damaged is not contained");
      await store.saveValue(arrayA(), A); // saving it again replaces the damaged entry
      assert.deepStrictEqual(await store.loadValue(A), arrayA());
      assert.deepStrictEqual(await store.loadValue(B), valueB());
      await store.close();
    } finally {
      logs.restore();
    }
  });

  it("notices a file damaged in place while a warm reader holds it open", async () => {
    const { root, file } = await twoEntries();
    const store = new Hdf5Store({ root });
    assert.deepStrictEqual(await store.loadValue(A), arrayA()); // handle open, structure remembered
    const offset = readFileSync(file(A)).indexOf(Buffer.from(Float64Array.of(10.5).buffer));
    flip(file(A), offset); // same inode, same size: the change shows in mtime and ctime
    const logs = captureLogs();
    try {
      await expectMiss(store, A, logs, /do not match their checksum/);
      assert.deepStrictEqual(await store.loadValue(B), valueB());
    } finally {
      logs.restore();
    }
    await store.close();
  });

  it("misses an entry whose object header is damaged, and keeps the other entry of the file", async () => {
    const { root, file } = await twoEntries();
    flip(file(A), headerAddress(file(A), A) + 24);
    const logs = captureLogs();
    try {
      const store = new Hdf5Store({ root });
      await expectMiss(store, A, logs, /damaged/);
      assert.deepStrictEqual(await store.loadValue(B), valueB());
      await store.close();
    } finally {
      logs.restore();
    }
  });

  it("misses every entry of a truncated file, and the next write moves the file aside", async () => {
    const { root, file } = await twoEntries();
    truncateSync(file(A), Math.floor(statSync(file(A)).size / 2));
    const logs = captureLogs();
    try {
      const store = new Hdf5Store({ root });
      await expectMiss(store, A, logs, /cannot be opened/);
      await expectMiss(store, B, logs, /cannot be opened/);
      assert.equal(await store.containsValue(B), false);
      const listed: string[] = [];
      for await (const key of store.listValues()) listed.push(key);
      assert.deepEqual(listed, []);
      assert.match(logs.warn.join("\n"), /skipping .*ab\.h5: it cannot be read/);
      const C = KEY("ab03");
      await store.saveValue("after the damage", C);
      assert.equal(await store.loadValue(C), "after the damage");
      assert.match(logs.warn.join("\n"), /ab\.h5 cannot be opened .*moved it to .*ab\.h5\.damaged-\d+/);
      assert.equal(readdirSync(root).filter((n) => n.includes(".damaged-")).length, 1);
      const report = await store.verify({ repair: true });
      assert.deepEqual(report.problems, []);
      assert.equal(report.removed, 1, "the damaged copy is cleaned up");
      await store.close();
    } finally {
      logs.restore();
    }
  });

  it("misses the keys of a file that is not HDF5 at all, and only those", async () => {
    const { root, file } = await twoEntries({ prefixLength: 0 });
    writeFileSync(file(A), "this is not an HDF5 file");
    const logs = captureLogs();
    try {
      const store = new Hdf5Store({ root, prefixLength: 0 });
      await expectMiss(store, A, logs, /cannot be opened/);
      assert.deepStrictEqual(await store.loadValue(B), valueB());
      await store.close();
    } finally {
      logs.restore();
    }
  });

  it("misses a damaged call record with a warning, and keeps the others", async () => {
    const root = tempRoot("records");
    const store = new Hdf5Store({ root, prefixLength: 0 });
    const good = sampleRecord(1);
    const bad = sampleRecord(2, { name: "a-name-to-find-in-the-file" });
    await store.saveCall(good);
    await store.saveCall(bad);
    await store.close();
    const path = join(root, "calls", `${bad.key}.h5`);
    flip(path, readFileSync(path).indexOf("a-name-to-find") + 2);
    const logs = captureLogs();
    try {
      const again = new Hdf5Store({ root, prefixLength: 0 });
      assert.equal(await again.loadCall(bad.key), undefined);
      assert.match(logs.warn.join("\n"), new RegExp(`call ${bad.key} .* checksum`));
      assert.deepEqual(await again.loadCall(good.key), good);
      await again.close();
    } finally {
      logs.restore();
    }
  });

  it("verify reports damaged entries and repair rewrites the file without them", async () => {
    const { root, file } = await twoEntries();
    flip(file(A), readFileSync(file(A)).indexOf(Buffer.from(Float64Array.of(1500.5).buffer)));
    const store = new Hdf5Store({ root });
    const report = await store.verify();
    assert.equal(report.checked, 2);
    assert.deepEqual(report.problems.map((p) => p.key), [A]);
    assert.match(report.problems[0]!.problem, /checksum/);
    assert.equal(report.removed, 0);
    const repaired = await store.verify({ repair: true });
    assert.equal(repaired.removed, 1);
    assert.deepEqual(await store.verify(), { checked: 1, problems: [], removed: 0 });
    assert.equal(await store.containsValue(A), false);
    assert.deepStrictEqual(await store.loadValue(B), valueB());
    assert.equal(digest(await store.loadValue(B)), digest(valueB()));
    await store.close();
  });

  it("verify reports stale temporary files and files moved aside without repair, and removes them with it", async () => {
    const { root } = await twoEntries();
    const stale = join(root, ".ab.h5.killed-0.tmp");
    const young = join(root, ".ab.h5.writing-1.tmp");
    const aside = join(root, "cd.h5.damaged-1700000000000");
    for (const path of [stale, young, aside]) writeFileSync(path, "left over");
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(stale, past, past);
    const store = new Hdf5Store({ root });
    const report = await store.verify();
    assert.deepEqual(report.problems.map((p) => p.key).sort(), [".ab.h5.killed-0.tmp", "cd.h5.damaged-1700000000000"]);
    assert.match(report.problems.find((p) => p.key.endsWith(".tmp"))!.problem, /temporary file left by a killed writer \(60 min old\)/);
    assert.equal(report.removed, 0);
    assert.ok(existsSync(stale) && existsSync(aside), "nothing removed without repair");
    const repaired = await store.verify({ repair: true });
    assert.equal(repaired.removed, 2);
    assert.equal(existsSync(stale) || existsSync(aside), false);
    assert.ok(existsSync(young), "a young temporary file may be a write in progress");
    assert.deepEqual((await store.verify()).problems, []);
    await store.close();
  });

  it("verify reports a fleche dataset whose checksum attribute was removed (reads tolerate it, as for foreign files)", async () => {
    const { root, file } = await twoEntries();
    const h5 = await loadH5wasm();
    const f = new h5.File(file(A), "a");
    try {
      const dataset = (f as unknown as { get(path: string): { delete_attribute(name: string): number } }).get(`/${A}`);
      assert.equal(dataset.delete_attribute(Attr.crc), 0);
    } finally {
      f.close();
    }
    const store = new Hdf5Store({ root });
    assert.deepStrictEqual(await store.loadValue(A), arrayA());
    const report = await store.verify();
    assert.deepEqual(report.problems.map((p) => p.key), [A]);
    assert.match(report.problems[0]!.problem, new RegExp(`dataset /${A} has no ${Attr.crc}`));
    await store.close();
  });

  it("verify reports a reference to a node that does not exist (a dangling child reference)", async () => {
    const root = tempRoot("damage");
    const key = KEY("cd01");
    const h5 = await loadH5wasm();
    const f = new h5.File(join(root, "cd.h5"), "w");
    try {
      const plan = {
        kind: "group",
        tag: Tag.Object,
        members: [["x", { kind: "dataset", tag: Tag.Reference, data: "nowhere", dtype: fixedString("nowhere"), shape: [] }]],
      } as const;
      writeNode(f, key, plan, { deflateLevel: 0 });
    } finally {
      f.close();
    }
    const store = new Hdf5Store({ root });
    const report = await store.verify();
    assert.deepEqual(report.problems.map((p) => p.key), [key]);
    assert.match(report.problems[0]!.problem, /a reference points to 'nowhere', which holds no value/);
    await store.close();
  });

  it("verify with deep digests every value again and reports one that does not match its key", async () => {
    const root = tempRoot("damage");
    const store = new Hdf5Store({ root });
    await store.saveValue(valueB(), B); // B is not the digest of valueB(): as if entries were swapped
    const right = await store.saveValue(arrayA());
    assert.deepEqual((await store.verify()).problems, [], "without deep, contents are checked against their checksums only");
    const deep = await store.verify({ deep: true });
    assert.deepEqual(deep.problems.map((p) => p.key), [B]);
    assert.match(deep.problems[0]!.problem, new RegExp(`its contents digest to ${digest(valueB())}, not to its key`));
    assert.equal(deep.checked, 2);
    assert.ok(right);
    await store.close();
  });
});
