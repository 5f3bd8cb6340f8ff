/**
 * The value-store conformance suite. Every value store runs it: `valueStoreSuite({ name, make })` in the
 * store's own test file, plus that store's specific cases.
 */
import { describe, it } from "node:test";
import { closingAfter } from "./opened.js";
import assert from "node:assert/strict";
import { AmbiguousDigestError, CacheMiss, SaveError } from "../errors.js";
import { digest } from "../digest/index.js";
import { allKeys, expandPrefix, shrinkAgainst } from "../stores/keys.js";
import type { ValueStore } from "../stores/types.js";
import { valueZoo } from "./value-zoo.js";
import { rebuildFromConfig } from "./rebuild.js";

/** How a store under test is made and what it promises. */
export interface ValueSuiteOptions {
  /** The store's name in the test titles. */
  readonly name: string;
  /** A fresh, empty store. */
  readonly make: () => ValueStore | Promise<ValueStore>;
  /** A second store over the same location (persistent stores): it must see what the first saved. */
  readonly reopen?: (store: ValueStore) => ValueStore | Promise<ValueStore>;
  /** False for stores that keep nothing (Void): every read misses. */
  readonly keeps?: boolean;
  /** The store implements the touch protocol of docs/gc.md (`touchValue`, `evictValueIfStale`). */
  readonly touches?: boolean;
  /** Zoo labels the store refuses with SaveError (its documented limits). */
  readonly refuses?: readonly string[];
  /**
   * Config options `toConfig()` never writes (FileStore's `secret_key`) that a store rebuilt from its
   * config is given, as a user would give them; the config round trip checks they are not written.
   */
  readonly secrets?: Readonly<Record<string, unknown>>;
}

const KEY = (head: string) => head.padEnd(64, "0");
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Margin between a cutoff and a touch: file times come from a coarse kernel clock (a few ms behind). */
const TICK = 30;

/**
 * Register the value-store conformance tests (with `node:test`'s `describe`/`it`) for the store that
 * `options.make` builds: every value of the zoo round-trips or is refused with `SaveError` as declared,
 * prefix lookup, listing, eviction, and (with `reopen`, `touches`) persistence and the gc touch protocol.
 * Call it once at the top level of a test file run by `node --test`.
 */
export function valueStoreSuite(options: ValueSuiteOptions): void {
  const keeps = options.keeps ?? true;
  const touches = options.touches ?? false;
  const { make, track } = closingAfter(options.make);

  describe(`value store conformance: ${options.name}`, () => {
    for (const entry of valueZoo) {
      const refused = options.refuses?.includes(entry.label) ?? false;
      it(`round-trips ${entry.label}${refused ? " (or refuses it with SaveError)" : ""}`, async () => {
        const store = await make();
        const value = entry.make();
        if (refused) {
          await assert.rejects(async () => store.saveValue(value), SaveError);
          return;
        }
        const key = await store.saveValue(value);
        assert.equal(key, digest(value), "saveValue returns the value's digest");
        if (!keeps) {
          await assert.rejects(async () => store.loadValue(key), CacheMiss);
          return;
        }
        assert.deepEqual(await store.loadValue(key), entry.make());
        assert.equal(digest(await store.loadValue(key)), key, "a loaded value digests to its key");
      });
    }

    it("stores under an explicit key only", async () => {
      const store = await make();
      const key = KEY("abc123");
      assert.equal(await store.saveValue({ x: 1 }, key), key);
      assert.equal(await store.containsValue(digest({ x: 1 })), false);
      assert.equal(await store.containsValue(key), keeps);
      if (keeps) assert.deepEqual(await store.loadValue(key), { x: 1 });
    });

    it("isolates stored values from later mutation of the original and of loaded copies", async () => {
      const store = await make();
      const original = { list: [1, 2], map: new Map([["k", [1]]]) };
      const key = await store.saveValue(original);
      original.list.push(3);
      original.map.get("k")!.push(2);
      if (!keeps) return;
      const loaded = (await store.loadValue(key)) as typeof original;
      assert.deepEqual(loaded, { list: [1, 2], map: new Map([["k", [1]]]) });
      loaded.list.push(99);
      assert.deepEqual(((await store.loadValue(key)) as typeof original).list, [1, 2]);
    });

    it("misses with CacheMiss on an absent key", async () => {
      const store = await make();
      await assert.rejects(async () => store.loadValue(KEY("dead")), CacheMiss);
      assert.equal(await store.containsValue(KEY("dead")), false);
    });

    it("evicts, and evicting an absent key is a no-op", async () => {
      const store = await make();
      const key = await store.saveValue("to be evicted");
      await store.evictValue(key);
      assert.equal(await store.containsValue(key), false);
      await assert.rejects(async () => store.loadValue(key), CacheMiss);
      await store.evictValue(key);
      await store.evictValue(KEY("beef"));
    });

    it("lists exactly its keys, also by prefix", async () => {
      const store = await make();
      const keys = [KEY("aaaa1"), KEY("aaaa2"), KEY("bbbb1")];
      for (const [i, key] of keys.entries()) await store.saveValue(i, key);
      const listed = (await allKeys((p) => store.listValues(p))).sort();
      assert.deepEqual(listed, keeps ? keys : []);
      const withPrefix = [];
      for await (const key of store.listValues("aaaa")) if (key.startsWith("aaaa")) withPrefix.push(key);
      assert.deepEqual(withPrefix.sort(), keeps ? keys.slice(0, 2) : []);
    });

    it("expands prefixes and shrinks keys through the shared key rules", async () => {
      const store = await make();
      const a = KEY("abcd0123");
      const b = KEY("abcd0124");
      const c = KEY("ffff");
      for (const key of [a, b, c]) await store.saveValue(key, key);
      const lister = (p?: string) => store.listValues(p);
      if (!keeps) {
        await assert.rejects(expandPrefix("abcd01", lister), CacheMiss);
        return;
      }
      assert.equal(await expandPrefix("abcd0123", lister), a);
      assert.equal(await expandPrefix("FFFF", lister), c);
      await assert.rejects(expandPrefix("abc", lister), CacheMiss);
      await assert.rejects(expandPrefix("abcd01", lister), (e: unknown) => {
        assert.ok(e instanceof AmbiguousDigestError);
        assert.match(e.message, /need at least 8 characters/);
        return true;
      });
      await assert.rejects(expandPrefix("1234", lister), CacheMiss);
      assert.deepEqual(shrinkAgainst([a, c], await allKeys(lister)), ["abcd0123", "ffff"]);
    });

    it("takes concurrent saves of distinct and equal values", async () => {
      const store = await make();
      const values = Array.from({ length: 40 }, (_, i) => ({ i: i % 20, payload: "x".repeat(i) }));
      const keys = await Promise.all(values.map((v) => store.saveValue(v)));
      if (!keeps) return;
      for (const [i, key] of keys.entries()) assert.deepEqual(await store.loadValue(key), values[i]);
    });

    if (options.reopen) {
      it("persists: a store reopened over the same location sees the values", async () => {
        const store = await make();
        const key = await store.saveValue({ persisted: [1, 2, 3] });
        const again = await options.reopen!(store);
        track(again);
        assert.deepEqual(await again.loadValue(key), { persisted: [1, 2, 3] });
      });
    }

    // The protocol garbage collection rests on (docs/gc.md): optional, but all or nothing, and exact.
    it(`${touches ? "implements" : "does not implement"} the touch protocol, all of it or none`, async () => {
      const store = await make();
      assert.equal(typeof store.touchValue === "function", touches);
      if (touches) assert.ok(store.valueWrittenAt && store.evictValueIfStale, "a store that touches also dates and evicts conditionally");
    });

    if (touches) {
      it("touchValue refreshes a stored value and reports an absent one", async () => {
        const store = await make();
        const value = { touched: [1, 2, 3], nested: { deep: ["x", "y"] } };
        const key = await store.saveValue(value);
        await sleepMs(TICK);
        const before = Date.now();
        assert.equal(await store.touchValue!(key), true);
        const writtenAt = await store.valueWrittenAt!(key);
        assert.ok(writtenAt !== undefined && writtenAt > before - TICK / 2, `touched: written at ${writtenAt}, touch at ${before}`);
        assert.deepEqual(await store.loadValue(key), value, "a touch changes no content");
        assert.equal(await store.touchValue!(KEY("dead")), false);
        await store.evictValue(key);
        assert.equal(await store.touchValue!(key), false, "an evicted value cannot be touched");
      });

      it("evictValueIfStale removes only what was not written or touched after the cutoff", async () => {
        const store = await make();
        const key = await store.saveValue({ stale: "soon" });
        const writtenAt = (await store.valueWrittenAt!(key))!;
        assert.equal(await store.evictValueIfStale!(key, writtenAt - 60_000), false, "written after the cutoff: kept");
        assert.deepEqual(await store.loadValue(key), { stale: "soon" });
        assert.equal(await store.evictValueIfStale!(key, writtenAt), true, "written at the cutoff, not after: removed");
        assert.equal(await store.containsValue(key), false);
        assert.equal(await store.evictValueIfStale!(key, Date.now() + 60_000), false, "absent: nothing removed");
        assert.equal(await store.evictValueIfStale!(KEY("beef"), Date.now()), false);
      });

      it("a save of a stored value refreshes it; after a conditional eviction it stores it again", async () => {
        const store = await make();
        const value = { reused: [[1, 2], [3, 4]], pad: "p".repeat(200) };
        const key = await store.saveValue(value);
        await sleepMs(TICK);
        const cutoff = Date.now();
        await sleepMs(TICK);
        assert.equal(await store.saveValue(value), key);
        assert.equal(await store.evictValueIfStale!(key, cutoff), false, "saved again after the cutoff: kept");
        assert.equal(await store.evictValueIfStale!(key, Date.now() + 60_000), true);
        assert.equal(await store.touchValue!(key), false, "a touch after the eviction reports the value gone");
        assert.equal(await store.saveValue(value), key, "and a save stores it again");
        assert.deepEqual(await store.loadValue(key), value);
        assert.equal(await store.touchValue!(key), true);
      });

      it("a touch reaches every part of a destructured value, and fails when one is gone", async () => {
        const store = await make();
        const value = { a: { list: [1, 2, 3], more: { deeper: ["z"] } }, b: [[4, 5], [6]] };
        const key = await store.saveValue(value);
        const entries = new Set<string>([key]);
        const queue = [key];
        while (queue.length && store.childDigests) {
          for (const child of await store.childDigests(queue.pop()!)) {
            if (!entries.has(child)) queue.push(child);
            entries.add(child);
          }
        }
        await sleepMs(TICK);
        const cutoff = Date.now();
        await sleepMs(TICK);
        assert.equal(await store.touchValue!(key), true);
        for (const entry of entries) assert.equal(await store.evictValueIfStale!(entry, cutoff), false, `entry ${entry} was touched`);
        const parts = [...entries].filter((k) => k !== key);
        if (parts.length === 0) return; // a store that keeps values whole: the value itself was checked above
        await store.evictValue(parts[0]!);
        assert.equal(await store.touchValue!(key), false, "a value missing a part cannot be touched");
        assert.equal(await store.saveValue(value), key);
        assert.deepEqual(await store.loadValue(key), value, "a save of a value missing a part writes the part again");
        assert.equal(await store.touchValue!(key), true);
      });
    }

    it("describes itself with a config table naming its type", async () => {
      const store = await make();
      const config = store.toConfig();
      assert.equal(config.type, store.type);
      assert.doesNotThrow(() => JSON.stringify(config));
    });

    it("rebuilds from its config an equal store (same config; a persistent one reads what this one wrote)", async () => {
      const store = await make();
      const key = await store.saveValue(valueZoo[0]!.make());
      const rebuilt = track(rebuildFromConfig(store, "values", options.secrets) as ValueStore);
      if (keeps && options.reopen) assert.deepEqual(await rebuilt.loadValue(key), valueZoo[0]!.make());
    });
  });
}
