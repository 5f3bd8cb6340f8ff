/** Several real processes writing the same prefix file; a writer killed in the middle of a write. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Hdf5Store } from "../../../src/index.js";
import { allKeys } from "../../../src/stores/keys.js";
import { workerKey, workerValue } from "./workers/keys.js";
import { KEY, tempRoot } from "./helpers.js";

const RUN = fileURLToPath(new URL("./workers/run.mjs", import.meta.url));

function start(worker: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [RUN, worker, ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
}

describe("Hdf5Store across processes", () => {
  it("serialises writers of one prefix file: no process loses another's entries", async () => {
    const root = tempRoot("writers");
    const go = join(root, "go");
    const workers = 3;
    const count = 10;
    const children = Array.from({ length: workers }, (_, w) => start("./writer.ts", root, String(w), String(count), go));
    const done = children.map(exited);
    await sleep(200);
    writeFileSync(go, "");
    for (const result of await Promise.all(done)) assert.equal(result.code, 0, result.stderr);

    const store = new Hdf5Store({ root });
    const expected = [];
    for (let w = 0; w < workers; w++) for (let i = 1; i < count; i += 2) expected.push(workerKey(w, i));
    assert.deepEqual((await allKeys((p) => store.listValues(p))).sort(), expected.sort());
    for (let w = 0; w < workers; w++) {
      for (let i = 1; i < count; i += 2) assert.deepStrictEqual(await store.loadValue(workerKey(w, i)), workerValue(w, i));
    }
    assert.deepEqual(readdirSync(root).filter((name) => name !== "go"), ["ab.h5"], "no lock or temporary file is left");
    await store.close();
  });

  it("survives a writer killed while it holds the lock: the file is whole, the stale lock is taken over", async () => {
    const root = tempRoot("killed");
    const store = new Hdf5Store({ root });
    await store.saveValue("written before", KEY("ab01"));
    const child = start("./big-writer.ts", root, KEY("ab99"));
    const done = exited(child);
    const lock = join(root, "ab.h5.lock");
    const deadline = Date.now() + 60_000;
    while (!existsSync(lock) && Date.now() < deadline) await sleep(1);
    assert.ok(existsSync(lock), "the writer took the lock");
    await sleep(Math.random() * 100); // somewhere inside the write
    child.kill("SIGKILL");
    const result = await done;
    assert.equal(result.signal, "SIGKILL", result.stderr);
    assert.ok(existsSync(lock), "the killed writer left its lock behind");

    // The lock's holder is dead: the next writer removes the lock and goes ahead.
    await store.saveValue("written after", KEY("ab02"));
    assert.equal(await store.loadValue(KEY("ab01")), "written before");
    assert.equal(await store.loadValue(KEY("ab02")), "written after");
    assert.equal(existsSync(lock), false);

    // Whatever the killed writer left (a temporary copy) is not an entry file, and verify cleans it up.
    const leftovers = readdirSync(root).filter((name) => name.endsWith(".tmp"));
    for (const name of leftovers) utimesSync(join(root, name), new Date(0), new Date(0));
    const report = await store.verify({ repair: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.removed, leftovers.length);
    assert.deepEqual(readdirSync(root), ["ab.h5"]);
    await store.close();
  });
});
