/**
 * The race of issue 9: gc runs continuously while 4 writer processes commit calls that reuse old
 * orphaned values (as arguments and results). Afterwards, every record's argument and result values
 * must load: 0 dangling references (each writer checks its records before it evicts them, and the
 * test checks those left at the end). A gc that dated values by their first write (and never saw reuse)
 * deletes the reused values here within a few passes.
 *
 * `npm test` runs it for a few seconds per store kind; FLECHE_GC_RACE_SECONDS=60 runs it for a minute
 * and prints the counts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CallRecord } from "../../src/index.js";
import { isInlineValue } from "../../src/call-record.js";
import { REPO, runTs, tempDir } from "../helpers/project.js";
import { captureLogs } from "../helpers/logs.js";
import { oldValue, oldValueCount, raceCache, type RaceKind } from "../fixtures/gc-race-cache.js";

const WRITERS = 4;
/** Seconds the writers run, per store kind. */
const SECONDS = Number(process.env.FLECHE_GC_RACE_SECONDS ?? 0) || undefined;
/** A grace period short enough that the reused values turn old again and again while the race runs. */
const GRACE = 1;

describe("gc against writers reusing old values in other processes", () => {
  for (const [kind, seconds] of [["file", SECONDS ?? 4], ["hdf5", SECONDS ?? 2]] as const) {
    it(`loses no value a record refers to (${kind === "file" ? "FileStore" : "Hdf5Store"}, ${seconds} s)`, { timeout: (seconds + 120) * 1000 }, async () => {
      const counts = await race(kind, seconds);
      if (SECONDS) console.log(`gc race, ${kind}, ${seconds} s:`, JSON.stringify(counts));
      assert.deepEqual(counts.dangling, [], "every record's values load");
      assert.ok(counts.passes >= 2, `gc ran continuously (${counts.passes} passes)`);
      assert.ok(counts.written > 0 && counts.records > 0, "the writers committed records");
      assert.ok(counts.evicted > 0, "gc removed values (the orphans the writers left) while they ran");
    });
  }
});

interface RaceCounts {
  passes: number;
  evicted: number;
  written: number;
  refused: number;
  records: number;
  checkedValues: number;
  dangling: string[];
}

async function race(kind: RaceKind, seconds: number): Promise<RaceCounts> {
  const root = tempDir(`fleche-gc-race-${kind}-`);
  const cache = raceCache(kind, root);
  for (let i = 0; i < oldValueCount(kind); i++) await cache.values.saveValue(oldValue(i));
  ageFiles(join(root, kind === "file" ? "values" : "h5"), 3600_000); // orphans from an hour ago

  const writers = Array.from({ length: WRITERS }, (_, id) =>
    runTs(join(REPO, "test/fixtures/gc-race-writer.ts"), [kind, root, String(seconds), String(id)], { cwd: root, home: root }),
  );
  let running = true;
  const done = Promise.all(writers).finally(() => (running = false));
  // The race starts when every writer is ready, so that the old values are still old when it does.
  while (running && !Array.from({ length: WRITERS }, (_, id) => existsSync(join(root, `ready-${id}`))).every(Boolean)) await sleep(20);
  writeFileSync(join(root, "go"), "");
  let passes = 0;
  let evicted = 0;
  // Files that other processes remove while a pass lists them are absent, not damaged: no warnings.
  const logs = captureLogs();
  try {
    while (running) {
      evicted += (await cache.gc({ grace: GRACE })).evicted.length;
      passes++;
      await sleep(5);
    }
  } finally {
    logs.restore();
  }
  assert.deepEqual(logs.warn, [], "gc warned while racing the writers");
  const results = await done;
  let written = 0;
  let refused = 0;
  let checkedValues = 0; // by the writers, before they evict a record, and here at the end
  const dangling: string[] = [];
  for (const result of results) {
    assert.equal(result.code, 0, result.stderr);
    const counts = JSON.parse(result.stdout) as { written: number; refused: number; checked: number; dangling: string[] };
    written += counts.written;
    refused += counts.refused;
    checkedValues += counts.checked;
    dangling.push(...counts.dangling);
  }
  evicted += (await cache.gc({ grace: GRACE })).evicted.length; // one more pass after the writers
  passes++;
  await cache.close();

  // A fresh process's view: every record's argument and result values load.
  const check = raceCache(kind, root);
  let records = 0;
  for (const key of await check.callKeys()) {
    const record = (await check.loadRecord(key)) as CallRecord;
    records++;
    for (const [what, digest] of [...Object.entries(record.arguments), ["result", record.result] as const]) {
      if (digest === null || record.inline?.some(([d]) => d === digest)) continue;
      checkedValues++;
      try {
        const value = await check.loadValue(digest);
        assert.ok(!isInlineValue(value));
      } catch (error) {
        dangling.push(`${key}.${what} → ${digest}: ${(error as Error).message}`);
      }
    }
  }
  await check.close();
  return { passes, evicted, written, refused, records, checkedValues, dangling };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Set every file under `dir` back `ms` milliseconds. */
function ageFiles(dir: string, ms: number): void {
  const then = (Date.now() - ms) / 1000;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (statSync(path).isFile()) utimesSync(path, then, then);
  }
}
