import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cache, Git, Memory, fleche, meta, withCache } from "../../src/index.js";
import { metadataFromNames } from "../../src/metadata/registry.js";
import type { Call } from "../../src/call.js";

const call = {} as Call; // the git provider does not look at the call

function repo(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "fleche-git-")));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  writeFileSync(join(dir, "a.txt"), "one\n");
  git("add", "a.txt");
  git("commit", "-q", "-m", "one");
  return dir;
}

const head = (dir: string) => execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();

describe("Git metadata", () => {
  it("records root, commit, branch and a clean tree inside a repository", async () => {
    const dir = repo();
    const state = await Git({ cwd: dir }).pre!(call);
    assert.deepEqual(state, { root: dir, commit: head(dir), branch: "main", dirty: false });
    assert.match(state.commit as string, /^[0-9a-f]{40}$/);
  });

  it("counts untracked and modified files as dirty", async () => {
    const dir = repo();
    writeFileSync(join(dir, "new.txt"), "untracked\n");
    assert.equal((await Git({ cwd: dir, ttl: 0 }).pre!(call)).dirty, true);
  });

  it("sees a new commit and a checkout at once, even within the reuse time", async () => {
    const dir = repo();
    const provider = Git({ cwd: dir, ttl: 3_600_000 });
    const first = await provider.pre!(call);
    writeFileSync(join(dir, "a.txt"), "two\n");
    execFileSync("git", ["commit", "-qam", "two"], { cwd: dir });
    const second = await provider.pre!(call);
    assert.notEqual(second.commit, first.commit);
    assert.equal(second.commit, head(dir));
    execFileSync("git", ["checkout", "-q", "-b", "feature"], { cwd: dir });
    assert.equal((await provider.pre!(call)).branch, "feature");
    execFileSync("git", ["checkout", "-q", "--detach", String(first.commit)], { cwd: dir });
    const detached = await provider.pre!(call);
    assert.equal(detached.branch, "HEAD");
    assert.equal(detached.commit, first.commit);
  });

  it("reuses one probe for concurrent calls and for calls within the reuse time", async () => {
    const dir = repo();
    const log = join(dir, ".git", "invocations");
    const wrapper = join(dir, ".git", "counting-git");
    writeFileSync(wrapper, `#!/bin/sh\necho "$1" >> '${log}'\nexec git "$@"\n`);
    chmodSync(wrapper, 0o755);
    const provider = Git({ cwd: dir, command: wrapper, ttl: 3_600_000 });
    const states = await Promise.all(Array.from({ length: 10 }, () => provider.pre!(call)));
    for (const s of states) assert.equal(s.commit, head(dir));
    await provider.pre!(call);
    assert.equal(readFileSync(log, "utf8").trim().split("\n").length, 4, "one probe: four git commands");
  });

  it("records nulls outside a repository and without git", async () => {
    const outside = mkdtempSync(join(tmpdir(), "fleche-nogit-"));
    const nothing = { root: null, commit: null, branch: null, dirty: null };
    assert.deepEqual(await Git({ cwd: outside }).pre!(call), nothing);
    assert.deepEqual(await Git({ cwd: repo(), command: "/nonexistent/git" }).pre!(call), nothing);
  });

  it("gives up after the timeout: a hanging git never holds the call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fleche-slowgit-"));
    const slow = join(dir, "slow-git");
    writeFileSync(slow, "#!/bin/sh\nsleep 60\n");
    chmodSync(slow, 0o755);
    const started = Date.now();
    assert.deepEqual(await Git({ cwd: dir, command: slow, timeout: 200 }).pre!(call), { root: null, commit: null, branch: null, dirty: null });
    assert.ok(Date.now() - started < 30_000, "did not wait for the 60 s command"); // liveness, not speed
  });

  it("is configurable by name and recorded through the wrapper", async () => {
    const dir = repo();
    const c = new Cache({ values: new Memory(), calls: new Memory() });
    const f = fleche((x: number) => x + 1, { name: "f", meta: [Git({ cwd: dir })] });
    await withCache(c, () => f(1));
    const recorded = (await c.query().only()).metadata;
    assert.equal(recorded.git?.commit, head(dir));
    assert.ok(recorded.runtime, "the active providers still run");
    assert.deepEqual(metadataFromNames(["Git"]).map((p) => p.name), ["git"]);
    await withCache(c, async () => {
      using _ = meta(...metadataFromNames(["Runtime", "Environment", "Git"]));
      await f(2);
    });
    const second = (await c.query({ args: { x: 2 } }).only()).metadata;
    assert.deepEqual(Object.keys(second).sort(), ["environment", "git", "runtime"]);
  });
});
