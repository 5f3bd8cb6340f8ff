import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cache, Memory, Sql, fleche, withCache } from "../../../src/index.js";
import { dropDatabases, freshDatabase } from "../../helpers/postgres.js";

after(dropDatabases);

const WRITER = fileURLToPath(new URL("../../fixtures/sql-writer.ts", import.meta.url));
const WORKERS = 4;
const COUNT = 300;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start every writer, let them all open the database, then release them at once; resolve with each outcome. */
function runWriters(url: string): Promise<Outcome[]> {
  let ready = 0;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const c of children) c.stdin.end("go\n");
  };
  const children = Array.from({ length: WORKERS }, (_, w) =>
    spawn(process.execPath, ["--import", "tsx", WRITER, url, String(w), String(COUNT)], { stdio: ["pipe", "pipe", "pipe"] }),
  );
  return Promise.all(
    children.map(
      (child) =>
        new Promise<Outcome>((resolve) => {
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (d) => {
            stdout += d;
            if (String(d).includes("ready") && ++ready === WORKERS) release();
          });
          child.stderr.on("data", (d) => (stderr += d));
          child.on("close", (code) => {
            release(); // a writer that died early must not leave the others waiting
            resolve({ code, stdout, stderr });
          });
        }),
    ),
  );
}

async function checkEverything(url: string): Promise<void> {
  const outcomes = await runWriters(url);
  for (const [w, o] of outcomes.entries()) {
    assert.equal(o.code, 0, `writer ${w} failed:\n${o.stderr}`);
    assert.match(o.stdout, /done/);
    assert.doesNotMatch(o.stderr, /SQLITE_BUSY|database is locked|deadlock|FlecheWarning/, `writer ${w} stderr:\n${o.stderr}`);
  }
  const store = new Sql({ url });
  const c = new Cache({ values: new Memory(), calls: store });
  try {
    assert.equal((await c.callKeys()).length, WORKERS * COUNT + 50, "no record lost, one record per shared key");
    assert.equal(await c.query({ name: "own" }).count(), WORKERS * COUNT);
    assert.equal(await c.query({ name: "shared" }).count(), 50);
    // Every record is whole: its result loads, and the shared results were never torn between writers.
    let runs = 0;
    const own = fleche((i: number, w: number) => (runs++, i * 1000 + w), { name: "own", module: "sql-writer" });
    await withCache(c, async () => {
      for (let w = 0; w < WORKERS; w++) for (let i = 0; i < COUNT; i += 7) assert.equal(await own(i, w), i * 1000 + w);
    });
    assert.equal(runs, 0, "every call a writer made is a hit");
    for await (const call of c.query({ name: "shared" })) {
      assert.equal(Object.keys(call.argumentDigests).length, 1);
      assert.ok(call.metadata.runtime, "metadata rows belong to one writer's save");
    }
  } finally {
    await store.close();
  }
}

describe("several processes writing at once", () => {
  it("to one SQLite file: no busy errors, no lost or torn records", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fleche-sql-conc-"));
    await checkEverything(`sqlite:///${dir}/shared/calls.db`);
  });

  it("to one PostgreSQL database: no errors, no lost or torn records", async () => {
    await checkEverything(await freshDatabase());
  });
});
