/**
 * docs/team-cache.md, end to end: two "machines" (processes with their own working directories and home
 * directories) share nothing but a real S3 server (s3rver) and a real PostgreSQL server. The fleche.toml
 * they use is the one the document shows, with its two server addresses replaced by the test servers'.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, runTs, tempDir, writeFiles, type ChildResult } from "./helpers/project.js";
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3 } from "./helpers/s3.js";
import { dropDatabases, freshDatabase } from "./helpers/postgres.js";

const INDEX = join(REPO, "src/index.ts");
const MAIN = join(REPO, "src/cli/main.ts");
const server = await startS3("team-cache");
after(dropDatabases);

/** The TOML blocks of docs/team-cache.md, in order. */
function docToml(): string[] {
  const text = readFileSync(join(REPO, "docs/team-cache.md"), "utf8");
  return [...text.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A document's TOML with the example servers replaced by the test's. */
function withServers(toml: string, postgres: string): string {
  return toml.replaceAll("http://s3.internal:9000", server.endpoint).replaceAll("postgres://fleche@db.internal/cache", postgres);
}

/** The program both machines run: a 1 MB result; the body leaves a mark in the machine's directory when it runs. */
const PROGRAM = `
import { appendFileSync } from "node:fs";
import { fleche, digest } from ${JSON.stringify(INDEX)};
const simulate = fleche(function simulate(steps: number, seed: number) {
  appendFileSync("body-ran.log", "ran\\n");
  const out = new Float64Array(131_072); // 1 MiB
  let x = seed;
  for (let i = 0; i < out.length; i++) out[i] = x = (x * 1103515245 + 12345) % 2147483648;
  return out;
});
const result = await simulate(1000, 7);
console.log(JSON.stringify({ bytes: result.byteLength, digest: digest(result) }));
`;

/** A machine: its own project directory and home, the document's fleche.toml, the S3 credentials in its environment. */
function machine(toml: string) {
  const home = tempDir("fleche-machine-");
  const cwd = join(home, "project");
  writeFiles(cwd, { "fleche.toml": toml, "program.mts": PROGRAM });
  const env = { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY, AWS_REGION: "us-east-1" };
  return {
    cwd,
    run: (): Promise<ChildResult> => runTs(join(cwd, "program.mts"), [], { cwd, home, env }),
    cli: (...args: string[]): Promise<ChildResult> => runTs(MAIN, args, { cwd, home, env }),
    bodyRuns: () => (existsSync(join(cwd, "body-ran.log")) ? readFileSync(join(cwd, "body-ran.log"), "utf8").split("\n").filter(Boolean).length : 0),
  };
}

describe("a team cache on S3 and PostgreSQL (docs/team-cache.md)", () => {
  it("the second machine loads the 1 MB result the first computed; its body never runs", async () => {
    const postgres = await freshDatabase();
    const [layout] = docToml();
    const a = machine(withServers(layout!, postgres));
    const b = machine(withServers(layout!, postgres));
    const first = await a.run();
    assert.equal(first.code, 0, first.stderr);
    assert.equal(a.bodyRuns(), 1);
    const second = await b.run();
    assert.equal(second.code, 0, second.stderr);
    assert.equal(b.bodyRuns(), 0, "machine B never ran the body");
    assert.equal(second.stdout, first.stdout, "the same 1 MiB result, by digest");
    assert.deepEqual(JSON.parse(second.stdout).bytes, 1_048_576);
    assert.ok(readdirSync(join(b.cwd, ".cache/fleche/values")).length > 0, "B's own layer was back-filled");
    const again = await b.run();
    assert.equal(again.stdout, first.stdout);
    assert.equal(b.bodyRuns(), 0);
    await server.settled();
    assert.ok(server.requests.some((r) => r.startsWith("PUT /team-cache/fleche/values/")), "values went to the bucket under the prefix");
  });

  it("a laptop's results reach the team with fleche transfer, then other machines hit them", async () => {
    const postgres = await freshDatabase();
    const [layout, teamShared] = docToml();
    // The laptop worked offline: its own cache only.
    const laptop = machine(`[default]\ncache = { template = "file", root = ".cache/fleche" }\n\n${withServers(teamShared!, postgres)}`);
    assert.equal((await laptop.run()).code, 0);
    assert.equal(laptop.bodyRuns(), 1);
    const pushed = await laptop.cli("transfer", "--from", "./.cache/fleche", "--to", "team-shared");
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /Copied 1 call from \.\/\.cache\/fleche to team-shared/);
    const other = machine(withServers(layout!, postgres));
    const served = await other.run();
    assert.equal(served.code, 0, served.stderr);
    assert.equal(other.bodyRuns(), 0);
    const listed = await laptop.cli("ls", "--cache", "team-shared", "--json");
    assert.equal((JSON.parse(listed.stdout) as { name: string }[])[0]!.name, "simulate");
    const repeated = await laptop.cli("transfer", "--from", "./.cache/fleche", "--to", "team-shared");
    assert.match(repeated.stdout, /Skipped 1 call that team-shared already holds/);
    assert.equal(repeated.stderr.includes("FlecheWarning"), false, "a repeated push warns about nothing");
    const gc = await laptop.cli("gc", "--cache", "team-shared", "--dry-run");
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, /Would remove 0 values/);
  });
});
