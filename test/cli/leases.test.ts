/**
 * `fleche ls --in-progress` and the lease part of `fleche verify`, as real child processes over a file
 * cache holding one live lease (a call being computed) and one expired lease (its holder died).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FileStore, digest } from "../../src/index.js";
import { REPO, runTs, tempDir, writeFiles } from "../helpers/project.js";

const MAIN = join(REPO, "src/cli/main.ts");

describe("fleche CLI and leases", () => {
  it("ls --in-progress lists the leases held; verify reports expired ones and --repair removes them", async () => {
    const root = tempDir();
    const home = join(root, "home");
    const proj = join(home, "proj");
    writeFiles(proj, { "fleche.toml": '[default]\ncache = "main"\n\n[main]\ntemplate = "file"\nroot = "cache"\n' });
    const store = new FileStore({ root: join(proj, "cache", "calls") });
    const [live, dead] = [digest("being computed"), digest("holder died")];
    assert.equal((await store.leases.acquire(live, { host: "worker-1", pid: 4321, token: "t-live" }, 600_000)).acquired, true);
    // A lease whose holder stopped renewing a minute ago (written as a holder writes it).
    const deadPath = join(proj, "cache", "calls", dead.slice(0, 2), `${dead}.lease`);
    mkdirSync(dirname(deadPath), { recursive: true });
    const since = Date.now() - 120_000;
    writeFileSync(deadPath, `${JSON.stringify({ host: "worker-2", pid: 99, token: "t-dead", since, expires: since + 60_000 })}\n`);
    const cli = (...args: string[]) => runTs(MAIN, args, { cwd: proj, home });

    const listed = await cli("ls", "--in-progress");
    assert.equal(listed.code, 0, listed.stderr);
    for (const text of ["key", "host", "pid", "since", "expires", live, "worker-1", "4321", "live", dead, "worker-2", "expired"]) {
      assert.ok(listed.stdout.includes(text), `${text} in\n${listed.stdout}`);
    }
    const json = JSON.parse((await cli("ls", "--in-progress", "--json")).stdout) as { key: string; host: string; pid: number; expired: boolean; store: string }[];
    assert.deepEqual(
      json.map(({ key, host, pid, expired }) => ({ key, host, pid, expired })),
      [
        { key: dead, host: "worker-2", pid: 99, expired: true },
        { key: live, host: "worker-1", pid: 4321, expired: false },
      ],
    );
    assert.equal(json[0]!.store, "calls (file)");

    const found = await cli("verify");
    assert.equal(found.code, 1);
    assert.match(found.stdout, /calls \(file\) leases: 1 expired lease\n/);
    assert.ok(found.stdout.includes(`${dead}: lease of pid 99 on worker-2 since ${new Date(since).toISOString()}`));
    assert.ok(existsSync(deadPath), "verify without --repair changes nothing");
    const repaired = await cli("verify", "--repair");
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.match(repaired.stdout, /calls \(file\) leases: 1 expired lease, 1 removed/);
    assert.equal(existsSync(deadPath), false);
    const after = JSON.parse((await cli("ls", "--in-progress", "--json")).stdout) as { key: string }[];
    assert.deepEqual(after.map((l) => l.key), [live], "the live lease stays");
    assert.equal((await cli("verify")).code, 0);
    await store.leases.release(live, { host: "worker-1", pid: 4321, token: "t-live" });
    assert.match((await cli("ls", "--in-progress")).stdout, /No calls in progress\./);
    const mixed = await cli("ls", "--in-progress", "--name", "train");
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /option '--in-progress' cannot be used with option '--name/);
  });
});
