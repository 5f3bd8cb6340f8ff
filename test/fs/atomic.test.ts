import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { isTempName, remainder, removeStaleTemps, removeStaleTempsAsync, tempPathFor, writeFileAtomic, writeFileAtomicSync } from "../../src/fs/atomic.js";
import { tempDirs } from "../helpers/temp.js";
import { beginWrite } from "../../src/fs/deferred-write.js";

const dir = tempDirs("atomic");

describe("atomic writes", () => {
  it("write the chunks in order, create missing directories, overwrite, and leave no temporary file", async () => {
    const root = dir();
    const path = join(root, "a", "b", "entry");
    writeFileAtomicSync(path, [Buffer.from("head "), new Uint8Array(0), Buffer.from("body")]);
    assert.equal(readFileSync(path, "utf8"), "head body");
    await writeFileAtomic(path, [Buffer.from("second "), Buffer.alloc(3 << 20, 120)]);
    const text = readFileSync(path, "latin1");
    assert.equal(text.length, 7 + (3 << 20));
    assert.ok(text.startsWith("second xxx"));
    writeFileAtomicSync(path, [Buffer.from("third")], { durable: true });
    assert.equal(readFileSync(path, "utf8"), "third");
    assert.deepEqual(readdirSync(join(root, "a", "b")), ["entry"]);
  });

  it("fail without leaving a temporary file when the target cannot be written", async () => {
    const root = dir();
    mkdirSync(join(root, "target"), { recursive: true }); // a directory where the file should go
    assert.throws(() => writeFileAtomicSync(join(root, "target"), [Buffer.from("x")]));
    await assert.rejects(writeFileAtomic(join(root, "target"), [Buffer.from("x")]));
    assert.deepEqual(readdirSync(root), ["target"]);
  });

  it("name temporary files as unique dot-files next to the target", () => {
    const a = tempPathFor("/some/dir/entry");
    const b = tempPathFor("/some/dir/entry");
    assert.notEqual(a, b);
    for (const temp of [a, b]) {
      assert.ok(temp.startsWith("/some/dir/.entry."));
      assert.ok(temp.endsWith(".tmp"));
      assert.ok(isTempName(temp.slice("/some/dir/".length)));
    }
  });

  it("finish partial writes: remainder() drops what was written", () => {
    const chunks = [Buffer.from("abc"), Buffer.from("de"), Buffer.from("fgh")];
    assert.deepEqual(remainder(chunks, 0).map(String), ["abc", "de", "fgh"]);
    assert.deepEqual(remainder(chunks, 2).map(String), ["c", "de", "fgh"]);
    assert.deepEqual(remainder(chunks, 5).map(String), ["fgh"]);
    assert.deepEqual(remainder(chunks, 7).map(String), ["h"]);
    assert.deepEqual(remainder(chunks, 8), []);
  });

  it("remove only temporary files older than the grace period", () => {
    const root = dir();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, ".old.x.tmp"), "");
    writeFileSync(join(root, ".young.x.tmp"), "");
    writeFileSync(join(root, "entry"), "");
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, ".old.x.tmp"), past, past);
    assert.equal(removeStaleTemps(root), 1);
    assert.deepEqual(readdirSync(root).sort(), [".young.x.tmp", "entry"]);
    assert.equal(removeStaleTemps(join(root, "missing")), 0);
  });

  it("remove stale temporary files through the thread pool too", async () => {
    const root = dir();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, ".old.y.tmp"), "");
    writeFileSync(join(root, ".young.y.tmp"), "");
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, ".old.y.tmp"), past, past);
    assert.equal(await removeStaleTempsAsync(root), 1);
    assert.deepEqual(readdirSync(root), [".young.y.tmp"]);
    assert.equal(await removeStaleTempsAsync(join(root, "missing")), 0);
  });
});

describe("deferred writes", () => {
  it("write to a temporary file first, then commit to the path decided later", async () => {
    const root = dir();
    const pending = beginWrite(root, [Buffer.from("head "), Buffer.alloc(1 << 20, 121)]);
    assert.equal(readdirSync(root).length, 1);
    assert.ok(readdirSync(root)[0]!.startsWith(".incoming."));
    await pending.commit(join(root, "sub", "final"));
    assert.equal(readFileSync(join(root, "sub", "final")).length, 5 + (1 << 20));
    assert.deepEqual(readdirSync(root), ["sub"]);
  });

  it("discard the temporary file when the destination already has the bytes", async () => {
    const root = dir();
    await beginWrite(root, [Buffer.from("x")]).discard();
    assert.deepEqual(readdirSync(root), []);
  });

  it("report a failed rename and leave nothing behind", async () => {
    const root = dir();
    mkdirSync(join(root, "occupied", "dir"), { recursive: true });
    writeFileSync(join(root, "occupied", "dir", "file"), "x");
    await assert.rejects(beginWrite(root, [Buffer.from("y")]).commit(join(root, "occupied", "dir")));
    assert.deepEqual(readdirSync(root), ["occupied"]);
  });
});
