/**
 * The call-store conformance suite. Every call store runs it: `callStoreSuite({ name, make })` in the
 * store's own test file. Push-down queries must return exactly what the reference matcher accepts.
 */
import { describe, it } from "node:test";
import { closingAfter } from "./opened.js";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { prng, randomRecords, randomTemplate } from "./random-templates.js";
import { scanExtreme, timestopOf } from "../query/extremes.js";
import { AmbiguousDigestError, CacheMiss } from "../errors.js";
import { Cache } from "../cache.js";
import { Memory } from "../stores/memory.js";
import { digest } from "../digest/index.js";
import { MISS } from "../cache-core.js";
import { allKeys, expandPrefix, shrinkAgainst } from "../stores/keys.js";
import { matchesRecord, type RecordTemplate } from "../query/template.js";
import type { CallRecord } from "../call-record.js";
import type { CallStore } from "../stores/types.js";
import { rebuildFromConfig } from "./rebuild.js";

/** How a call store under test is made and what it promises. */
export interface CallSuiteOptions {
  /** The store's name in the test titles. */
  readonly name: string;
  /** A fresh, empty store. */
  readonly make: () => CallStore | Promise<CallStore>;
  /** A second store over the same location (persistent stores): it must see the records the first saved. */
  readonly reopen?: (store: CallStore) => CallStore | Promise<CallStore>;
  /** False for stores that keep nothing (Void). */
  readonly keeps?: boolean;
  /** Config options `toConfig()` never writes that a store rebuilt from its config is given (as in the value suite). */
  readonly secrets?: Readonly<Record<string, unknown>>;
}

const KEY = (head: string) => head.padEnd(64, "0");

/** A realistic record; `over` replaces fields. */
export function sampleRecord(i: number, over: Partial<CallRecord> = {}): CallRecord {
  return {
    key: digest(["sample", i]),
    name: i % 2 ? "odd" : "even",
    module: i % 3 ? "pkg:mod" : null,
    version: i % 4 === 0 ? 1 : i % 4 === 1 ? "1" : null,
    codeDigest: i % 5 === 0 ? digest(`code${i}`) : null,
    arguments: { x: digest(i), y: digest(i % 3), "0": digest("positional") },
    result: i % 7 === 6 ? null : digest(i * 10),
    metadata: {
      runtime: { timestart: 1_700_000_000 + i, timestop: 1_700_000_001 + i, walltime: 1 },
      tags: { project: i % 2 ? "alpha" : "beta", run: i, nested: { deep: [i, "ü"] } },
    },
    ...(i % 3 === 0 ? { inline: [[digest(i), i], [digest("s"), "s ü"], [digest(null), null]] as const } : {}),
    ...over,
  };
}

/**
 * Register the call-store conformance tests (with `node:test`'s `describe`/`it`) for the store that
 * `options.make` builds: exact round-trips, prefix lookup, eviction, query templates checked against
 * `matchesRecord` on random records, extremes, and (with `reopen`) persistence. Call it once at the top
 * level of a test file run by `node --test`.
 */
export function callStoreSuite(options: CallSuiteOptions): void {
  const keeps = options.keeps ?? true;
  const { make, track } = closingAfter(options.make);

  describe(`call store conformance: ${options.name}`, () => {
    it("round-trips records exactly (versions 1 and '1' stay distinct, nulls stay null)", async () => {
      const store = await make();
      for (let i = 0; i < 8; i++) await store.saveCall(sampleRecord(i));
      for (let i = 0; i < 8; i++) {
        const loaded = await store.loadCall(sampleRecord(i).key);
        if (!keeps) assert.equal(loaded, undefined);
        else assert.deepEqual(loaded, sampleRecord(i));
      }
    });

    it("replaces a record saved again under the same key", async () => {
      const store = await make();
      await store.saveCall(sampleRecord(1));
      const updated = sampleRecord(1, { result: digest("new"), metadata: { tags: { again: true } } });
      await store.saveCall(updated);
      await store.saveCall(updated);
      assert.deepEqual(await allKeys((p) => store.listCalls(p)), keeps ? [updated.key] : []);
      if (keeps) assert.deepEqual(await store.loadCall(updated.key), updated);
    });

    it("serves cache hits from the record (through loadResult when offered, equal to loadCall)", async () => {
      const store = await make();
      const cache = new Cache({ values: new Memory(), calls: store });
      const records = Array.from({ length: 6 }, (_, i) => sampleRecord(i, { result: digest(i), inline: [[digest(i), i % 2 ? `s${i}` : i]] }));
      for (const record of records) await store.saveCall(record);
      for (const [i, record] of records.entries()) {
        assert.equal(await cache.lookup(record.key), keeps ? (i % 2 ? `s${i}` : i) : MISS);
        if (store.loadResult) {
          const full = await store.loadCall(record.key);
          assert.deepEqual(await store.loadResult(record.key), full && { result: full.result, inline: full.inline });
        }
      }
      assert.equal(await cache.lookup(KEY("dead")), MISS);
      if (store.loadResult) assert.equal(await store.loadResult(KEY("dead")), undefined);
    });

    it("misses with undefined, and contains/evicts by key", async () => {
      const store = await make();
      assert.equal(await store.loadCall(KEY("dead")), undefined);
      assert.equal(await store.containsCall(KEY("dead")), false);
      const record = sampleRecord(2);
      await store.saveCall(record);
      assert.equal(await store.containsCall(record.key), keeps);
      await store.evictCall(record.key);
      assert.equal(await store.containsCall(record.key), false);
      assert.equal(await store.loadCall(record.key), undefined);
      await store.evictCall(record.key);
    });

    it("lists exactly its keys, also by prefix", async () => {
      const store = await make();
      const keys = [KEY("aaaa1"), KEY("aaaa2"), KEY("bbbb")];
      for (const [i, key] of keys.entries()) await store.saveCall(sampleRecord(i, { key }));
      assert.deepEqual((await allKeys((p) => store.listCalls(p))).sort(), keeps ? keys : []);
      const withPrefix = [];
      for await (const key of store.listCalls("aaaa")) if (key.startsWith("aaaa")) withPrefix.push(key);
      assert.deepEqual(withPrefix.sort(), keeps ? keys.slice(0, 2) : []);
      if (keeps) {
        const lister = (p?: string) => store.listCalls(p);
        assert.equal(await expandPrefix("aaaa1", lister), keys[0]);
        await assert.rejects(expandPrefix("aaaa", lister), AmbiguousDigestError);
        await assert.rejects(expandPrefix("cccc", lister), CacheMiss);
        assert.deepEqual(shrinkAgainst([keys[2]!], await allKeys(lister)), ["bbbb"]);
      }
    });

    it("answers queries exactly like the reference matcher (push-down or scan)", async () => {
      const store = await make();
      const records = Array.from({ length: 21 }, (_, i) => sampleRecord(i));
      for (const record of records) await store.saveCall(record);
      const cache = new Cache({ values: new Memory(), calls: store });
      const templates: RecordTemplate[] = [
        {},
        { name: "odd" },
        { name: "even", version: 1 },
        { version: "1" },
        { module: null },
        { codeDigest: digest("code5") },
        { args: { x: digest(4) } },
        { args: { y: digest(2), x: digest(5) } },
        { args: { missing: digest(1) } },
        { result: digest(30) },
        { metadata: { tags: { project: "alpha" } } },
        { metadata: { tags: { project: "alpha", run: 3 } } },
        { metadata: { tags: { nested: { deep: [4, "ü"] } } } },
        { metadata: { tags: { run: null } } },
        { metadata: { git: {} } },
        { name: "odd", args: { y: digest(0) }, metadata: { runtime: { walltime: 1 } } },
      ];
      for (const template of templates) {
        const got = [];
        for await (const record of cache.records(template)) got.push(record.key);
        const want = keeps ? records.filter((r) => matchesRecord(template, r)).map((r) => r.key) : [];
        assert.deepEqual(got.sort(), want.sort(), `template ${JSON.stringify(template)}`);
      }
    });

    it("answers hundreds of random templates exactly like the reference matcher (property)", async () => {
      const store = await make();
      const seed = Number(process.env.FLECHE_PROPERTY_SEED ?? 20_241_125);
      const records = randomRecords(seed, 60);
      for (const record of records) await store.saveCall(record);
      if (keeps) for (const record of records.slice(0, 10)) assert.deepEqual(await store.loadCall(record.key), record);
      const cache = new Cache({ values: new Memory(), calls: store });
      const r = prng(seed);
      for (let i = 0; i < 400; i++) {
        const template = randomTemplate(r, records);
        const where = () => `seed ${seed}, template #${i}: ${inspect(template, { depth: 8, breakLength: Infinity })}`;
        const got = [];
        for await (const record of cache.records(template)) got.push(record.key);
        const matching = keeps ? records.filter((rec) => matchesRecord(template, rec)) : [];
        assert.deepEqual(got.sort(), matching.map((rec) => rec.key).sort(), where());
        if (store.latestCall && i % 3 === 0) {
          for (const which of ["latest", "oldest"] as const) {
            const found = await store.latestCall(template, which);
            const expected = (await scanExtreme(matching, timestopOf, which)).best;
            assert.equal(found && timestopOf(found), expected && timestopOf(expected), `${which}, ${where()}`);
          }
        }
      }
    });

    it("keeps one record per key under concurrent saves", async () => {
      const store = await make();
      await Promise.all(Array.from({ length: 24 }, (_, i) => store.saveCall(sampleRecord(i % 3))));
      assert.equal((await allKeys((p) => store.listCalls(p))).length, keeps ? 3 : 0);
    });

    if (options.reopen) {
      it("persists: a store reopened over the same location sees the records", async () => {
        const store = await make();
        await store.saveCall(sampleRecord(3));
        const again = await options.reopen!(store);
        track(again);
        assert.deepEqual(await again.loadCall(sampleRecord(3).key), sampleRecord(3));
      });
    }

    it("describes itself with a config table naming its type", async () => {
      const store = await make();
      assert.equal(store.toConfig().type, store.type);
    });

    it("rebuilds from its config an equal store (same config; a persistent one reads what this one wrote)", async () => {
      const store = await make();
      await store.saveCall(sampleRecord(5));
      const rebuilt = track(rebuildFromConfig(store, "calls", options.secrets) as CallStore);
      if (keeps && options.reopen) assert.deepEqual(await rebuilt.loadCall(sampleRecord(5).key), sampleRecord(5));
    });
  });
}
