/**
 * A second process using one SQLite call store, driven line by line on stdin so that tests can act on
 * the database file between its steps: `sql-session.ts <url> [read-only]`. Commands (one per line):
 * - `save <n>`: save `sessionRecord(n)`; prints `saved <n>`
 *   or `refused <n> <message>`;
 * - `has <n>`: prints `has <n> true|false`;
 * - `hit`: calls a cached `add(1, 2)` whose result is inline; prints `hit <result> <runs>` (runs 0: a hit);
 * - `info`: prints `info <json>`;
 * - `quit`: closes the store and exits.
 * Prints `ready` once the store is open, `error <message>` when opening fails (then exits 3).
 */
import { createInterface } from "node:readline";
import { Cache, Memory, Sql, setLogger, withCache } from "../../../../src/index.js";
import { sessionAdd, sessionRecord } from "./session-record.js";

const [url, mode] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);
setLogger({ debug() {}, info() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) });
let store: Sql;
try {
  store = new Sql({ url: url!, ...(mode === "read-only" ? { readOnly: true } : {}) });
} catch (error) {
  say(`error ${(error as Error).message}`);
  process.exit(3);
}
const c = new Cache({ values: new Memory(), calls: store });
const { add, runs } = sessionAdd();
say("ready");
for await (const line of createInterface({ input: process.stdin })) {
  const [command, arg] = line.trim().split(" ");
  const n = Number(arg);
  if (command === "save") {
    try {
      await store.saveCall(sessionRecord(n));
      say(`saved ${n}`);
    } catch (error) {
      say(`refused ${n} ${(error as Error).message}`);
    }
  } else if (command === "has") {
    say(`has ${n} ${await store.containsCall(sessionRecord(n).key)}`);
  } else if (command === "hit") {
    const before = runs.count;
    const result = await withCache(c, () => add(1, 2));
    say(`hit ${result} ${runs.count - before}`);
  } else if (command === "info") {
    say(`info ${JSON.stringify(await store.info())}`);
  } else if (command === "quit") {
    await store.close();
    process.exit(0);
  }
}
