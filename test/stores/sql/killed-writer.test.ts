/**
 * A process killed (SIGKILL) while it writes large values into a SQL store leaves every value either
 * whole or absent: each save is one transaction, so `verify` finds nothing to repair and every listed
 * value loads.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Sql } from "../../../src/index.js";
import { dropDatabases, freshDatabase } from "../../helpers/postgres.js";
import { tempDirs } from "../../helpers/temp.js";

after(dropDatabases);

const WRITER = fileURLToPath(new URL("./children/value-writer.ts", import.meta.url));
const dir = tempDirs("sql-killed");

/**
 * Start the writer and kill it during its third save, 70% of the way through the time its second save
 * took (past hashing and encoding, into the write); the keys it reported saved.
 */
async function killMidWrite(url: string): Promise<string[]> {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, url], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const saved: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let started = 0;
  let took = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith("saving ")) started = performance.now();
    if (line.startsWith("saved ")) {
      saved.push(line.slice(6));
      took = performance.now() - started;
    }
    if (line === "saving 2") {
      setTimeout(() => child.kill("SIGKILL"), took * 0.7);
      break;
    }
  }
  await exited;
  assert.equal(saved.length, 2, `the writer saved two values before it was killed:\n${stderr}`);
  return saved;
}

for (const [kind, url] of [
  ["SQLite", async () => `sqlite:///${join(dir(), "cache.db")}`],
  ["PostgreSQL", () => freshDatabase()],
] as const) {
  describe(`a writer killed mid-save (${kind})`, () => {
    it("leaves every value whole or absent", async () => {
      const where = await url();
      const saved = await killMidWrite(where);
      const store = new Sql({ url: where });
      const report = await store.verify();
      assert.deepEqual(report.problems, []);
      const listed: string[] = [];
      for await (const key of store.listValues()) listed.push(key);
      for (const key of saved) assert.ok(listed.includes(key), `saved ${key} is listed`);
      for (const key of listed) {
        const value = (await store.loadValue(key)) as Float64Array;
        assert.equal(value.length, (20 * 1024 * 1024) / 8);
      }
      await store.close();
    });
  });
}
