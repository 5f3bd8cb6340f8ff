/** The cross-process lock file: live holders make others wait, dead ones are taken over safely. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { FileLock, LockTimeout, withLock } from "../../src/fs/file-lock.js";
import { tempDirs } from "../helpers/temp.js";

const fresh = tempDirs("lock");

/** A fresh, empty directory (removed when the test file is done); `label` only names it. */
function tempRoot(label: string): string {
  const dir = `${fresh()}-${label}`;
  mkdirSync(dir);
  return dir;
}

const hourAgo = () => new Date(Date.now() - 3_600_000);

/** A lock file naming another holder. */
function foreignLock(path: string, holder: Record<string, unknown>): void {
  writeFileSync(path, JSON.stringify({ token: "someone-else", since: Date.now(), ...holder }));
}

function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

/** A real, running process that is not this one. */
async function liveProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  await new Promise((resolve) => child.once("spawn", resolve));
  return {
    pid: child.pid!,
    stop: () => new Promise((resolve) => (child.once("exit", () => resolve()), child.kill())),
  };
}

describe("FileLock", () => {
  it("makes a second taker wait while the holder lives, then lets it in once the holder is dead", async () => {
    const path = join(tempRoot("lock"), "x.h5.lock");
    const holder = await liveProcess();
    foreignLock(path, { pid: holder.pid, host: hostname(), start: startOf(holder.pid) });
    await assert.rejects(new FileLock(path, { timeoutMs: 200 }).acquire(), (error: unknown) => {
      assert.ok(error instanceof LockTimeout);
      assert.match(error.message, new RegExp(`held by pid ${holder.pid} on ${hostname()}`));
      return true;
    });
    await holder.stop();
    const lock = new FileLock(path, { timeoutMs: 5_000 });
    await lock.acquire();
    assert.ok(lock.held());
    lock.release();
    assert.equal(existsSync(path), false);
  });

  it("takes over a lock whose pid now belongs to another process (pid reuse)", async () => {
    const path = join(tempRoot("reuse"), "x.h5.lock");
    const other = await liveProcess();
    foreignLock(path, { pid: other.pid, host: hostname(), start: "1" });
    const lock = new FileLock(path, { timeoutMs: 2_000 });
    await lock.acquire();
    assert.ok(lock.held());
    lock.release();
    await other.stop();
  });

  it("waits for a lock from another host until it is older than staleMs", async () => {
    const path = join(tempRoot("host"), "x.h5.lock");
    foreignLock(path, { pid: 1, host: "another-machine" });
    await assert.rejects(new FileLock(path, { timeoutMs: 100, staleMs: 60_000 }).acquire(), LockTimeout);
    utimesSync(path, hourAgo(), hourAgo());
    const lock = new FileLock(path, { timeoutMs: 2_000, staleMs: 60_000 });
    await lock.acquire();
    lock.release();
  });

  it("treats an unreadable lock file as stale only once it is old, and clears an abandoned guard", async () => {
    const dir = tempRoot("garbage");
    const path = join(dir, "x.h5.lock");
    writeFileSync(path, "");
    await assert.rejects(new FileLock(path, { timeoutMs: 100 }).acquire(), LockTimeout);
    utimesSync(path, hourAgo(), hourAgo());
    writeFileSync(`${path}.break`, "");
    utimesSync(`${path}.break`, hourAgo(), hourAgo());
    const lock = new FileLock(path, { timeoutMs: 2_000 });
    await lock.acquire();
    assert.equal(existsSync(`${path}.break`), false);
    lock.release();
  });

  it("never removes a lock it does not hold, and releases when the locked work throws", async () => {
    const path = join(tempRoot("release"), "x.h5.lock");
    const lock = new FileLock(path);
    assert.ok(lock.tryAcquire());
    assert.equal(new FileLock(path).tryAcquire(), false);
    foreignLock(path, { pid: process.pid, host: hostname() }); // someone replaced it
    lock.release();
    assert.ok(existsSync(path), "the other holder's lock stays");
    writeFileSync(path, "");
    utimesSync(path, hourAgo(), hourAgo());
    await assert.rejects(
      withLock(path, () => {
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(existsSync(path), false);
  });
});
