import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Cache, ConfigError, FileStore, cacheFromConfig, digest, digestSymbol, fleche, registerDigest, withCache } from "../../src/index.js";
import { tempDirs } from "../helpers/temp.js";
import { DEFAULT_MIN_PART_SIZE, KnownParts, assemble, planEntries, type PartsNode, type PlannedEntry } from "../../src/stores/destructure.js";

const KEY = "9".repeat(64);

/** Reassemble a planned value the way a store does: load each child entry by key. */
function load(entries: readonly PlannedEntry[], key: string): unknown {
  const entry = entries.find((e) => e.key === key);
  assert.ok(entry, `entry ${key} is planned`);
  if (entry.node.kind === "whole") return structuredClone(entry.node.value);
  const parts = entry.node as PartsNode;
  return assemble(parts, parts.children.map((child) => load(entries, child)));
}

/**
 * The depth rule on its own: `minPartSize: 0` makes every part worth an entry. These cases pinned the
 * split-everything default before the size rule existed; they now state the depth rule explicitly, and
 * "destructuring by size" below pins the default.
 */
function plan(value: unknown, depth?: number): PlannedEntry[] {
  return planEntries(value, digest(value), { ...(depth === undefined ? {} : { remainingDepth: depth }), minPartSize: 0 });
}

/** A string of about `bytes` bytes as the estimate counts it. */
function text(bytes: number): string {
  return "x".repeat(bytes);
}

describe("destructuring by size", () => {
  it("keeps an array of 100,000 small records in one entry", () => {
    const records = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `item ${i}`, score: i / 7, tags: ["a", "b"] }));
    const entries = planEntries(records, KEY);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], { key: KEY, node: { kind: "whole", value: records } });
  });

  it("splits off parts of minPartSize or more, and only those", () => {
    const big = [text(DEFAULT_MIN_PART_SIZE)];
    const small = [text(100)];
    const value = { big, small, n: 1 };
    const entries = planEntries(value, KEY);
    assert.deepEqual(entries.map((e) => e.key), [digest(big), KEY]);
    assert.deepEqual(entries[1]!.node, { kind: "object", items: ["big", null, "small", small, "n", 1], slots: [1], children: [digest(big)] });
    assert.equal(digest(load(entries, KEY)), digest(value));
  });

  it("counts a container's size from its members: many small parts add up to one large entry", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ row: i, label: text(40) })); // about 100 KB in all
    const value = { rows, note: "small" };
    const entries = planEntries(value, KEY);
    assert.deepEqual(entries.map((e) => e.key), [digest(rows), KEY]);
    assert.equal(entries[0]!.node.kind, "whole"); // its rows are small: they stay inside it
  });

  it("takes the threshold as an option: a large threshold keeps large parts inline, 0 splits every part deep enough", () => {
    const value = { a: [text(1000)], b: [1] };
    assert.equal(planEntries(value, KEY, { minPartSize: 1024 }).length, 1);
    assert.equal(planEntries(value, KEY, { minPartSize: 512 }).length, 2);
    assert.equal(planEntries(value, KEY, { minPartSize: 0 }).length, 3);
    assert.equal(planEntries(value, KEY, { minPartSize: Infinity }).length, 1);
  });

  it("sizes binary data by its bytes and keeps small opaque values whole inside their parent", () => {
    const large = new Float64Array(DEFAULT_MIN_PART_SIZE / 8);
    const small = new Float64Array(4);
    const set = new Set([1, 2]);
    const value = { large, small, set };
    const entries = planEntries(value, KEY);
    assert.deepEqual(entries.map((e) => e.key), [digest(large), KEY]);
    assert.deepEqual(entries[0]!.node, { kind: "whole", value: large });
  });

  it("estimates opaque values other than binary from their members, up to the threshold", () => {
    const bigSet = new Set(Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(1000, "x")));
    class Box {
      constructor(readonly items: string[]) {}
      [digestSymbol]() {
        return ["Box", this.items];
      }
    }
    const box = new Box([text(2000)]);
    const entries = planEntries({ bigSet, box }, KEY, { minPartSize: 50_000 });
    assert.deepEqual(entries.map((e) => e.key), [digest(bigSet), KEY]);
  });

  it("refers to an object the store already wrote, whatever its size, when it is unchanged", () => {
    const known = new KnownParts();
    const argument = { config: [1, 2, 3] };
    planEntries(argument, digest(argument), { known });
    const result = { argument, output: [4] };
    const entries = planEntries(result, KEY, { known });
    assert.deepEqual(entries.map((e) => e.key), [digest(argument), KEY]);
    assert.equal(digest(load(entries, KEY)), digest(result));

    argument.config.push(4); // changed since it was written: stored inline again, never under the old key
    const again = planEntries({ argument }, KEY, { known });
    assert.deepEqual(again.map((e) => e.key), [KEY]);

    const copy = structuredClone(result.output); // known by identity only: an equal small copy stays inline
    planEntries(result.output, digest(result.output), { known });
    assert.deepEqual(planEntries({ copy }, KEY, { known }).map((e) => e.key), [KEY]);
    assert.deepEqual(planEntries({ same: result.output }, KEY, { known, minPartSize: Infinity }).map((e) => e.key), [digest(result.output), KEY], "Infinity still refers to known objects");
  });

  it("with remainingDepth Infinity keeps containers whole and splits off only large opaque values", () => {
    const data = new Float64Array(DEFAULT_MIN_PART_SIZE / 8);
    const value = { rows: [[text(DEFAULT_MIN_PART_SIZE)]], data, small: new Float64Array(2) };
    assert.deepEqual(planEntries(value, KEY, { remainingDepth: Infinity }).map((e) => e.key), [digest(data), KEY]);
  });

  it("keeps the depth rule: a large part shallower than remainingDepth stays inline", () => {
    const value = { a: [text(DEFAULT_MIN_PART_SIZE)] };
    assert.equal(planEntries(value, KEY, { remainingDepth: 2 }).length, 1);
    assert.equal(planEntries(value, KEY, { remainingDepth: 1 }).length, 2);
  });

  it("stores a value whose parts share an object whole, as before", () => {
    const shared = [text(DEFAULT_MIN_PART_SIZE)];
    assert.deepEqual(planEntries({ a: shared, b: shared }, KEY).map((e) => e.node.kind), ["whole"]);
  });

  it("accepts a number as the remaining depth, with the default threshold", () => {
    assert.equal(planEntries({ a: [1] }, KEY, 0).length, 1);
  });
});

describe("destructuring by depth (minPartSize 0)", () => {
  it("at depth 1 stores every non-empty container as an entry: [1, [2, 3]] is two entries", () => {
    const entries = plan([1, [2, 3]]);
    assert.deepEqual(
      entries.map((e) => e.key),
      [digest([2, 3]), digest([1, [2, 3]])],
    );
    assert.deepEqual(entries[0]!.node, { kind: "whole", value: [2, 3] });
    assert.deepEqual(entries[1]!.node, { kind: "array", items: [1, null], slots: [1], children: [digest([2, 3])] });
  });

  it("keeps shallow containers whole and empty containers inline", () => {
    assert.equal(plan({ a: 1, b: "x", c: [], d: {} }).length, 1);
    assert.equal(plan(new Map([["k", 1]])).length, 1);
  });

  it("at depth 0 stores every node, scalars included; at Infinity only opaque values split off", () => {
    const value = { a: [1, 2], b: "s" };
    const zero = plan(value, 0);
    for (const leaf of [1, 2, "s", [1, 2]]) assert.ok(zero.some((e) => e.key === digest(leaf)), `entry for ${JSON.stringify(leaf)}`);
    assert.equal(plan({ deep: [[[[1]]]] }, Infinity).length, 1);
    const withBinary = plan({ deep: [[1]], data: new Float64Array([1]) }, Infinity);
    assert.deepEqual(withBinary.map((e) => e.key), [digest(new Float64Array([1])), digest({ deep: [[1]], data: new Float64Array([1]) })]);
    assert.equal(plan({ deep: [[[1]]] }, 2).length, 3); // [[[1]]] (depth 3) and [[1]] (depth 2) split, [1] (depth 1) stays
  });

  it("gives opaque values their own entry and never takes them apart", () => {
    class Tagged {
      constructor(readonly items: number[][]) {}
      [digestSymbol]() {
        return ["Tagged", this.items];
      }
    }
    const hooked = { special: [[1, 2]] };
    const off = registerDigest((v) => v === hooked, () => "hooked");
    try {
      const value = { set: new Set([1]), bytes: new Uint8Array([1]), tagged: new Tagged([[1]]), hooked };
      const entries = plan(value);
      for (const part of [value.set, value.bytes, value.tagged, hooked]) {
        const entry = entries.find((e) => e.key === digest(part));
        assert.ok(entry, "opaque part has its own entry");
        assert.equal(entry.node.kind, "whole");
      }
      assert.ok(!entries.some((e) => e.key === digest([[1, 2]])), "a hooked object is not torn apart");
      assert.ok(!entries.some((e) => e.key === digest([1])), "a digest-method object is not torn apart");
    } finally {
      off();
    }
  });

  it("keeps dates, regexps and digest references inline like scalars", () => {
    assert.equal(plan({ when: new Date(0), re: /x/ }).length, 1);
  });

  it("stores a value with a shared reference or a cycle whole", () => {
    const shared = [1, 2];
    assert.deepEqual(plan({ a: shared, b: shared }).map((e) => e.node.kind), ["whole"]);
    const cyclic: unknown[] = [[1]];
    cyclic.push(cyclic);
    assert.equal(planEntries(cyclic, KEY, { minPartSize: 0 }).length, 1);
  });

  it("stores equal parts once", () => {
    const entries = plan([[1], [1], { x: [1] }]);
    assert.equal(entries.filter((e) => e.key === digest([1])).length, 1);
  });

  it("writes children before parents and the top value last, under the given key", () => {
    const entries = planEntries({ a: { b: { c: [1] } } }, KEY, { minPartSize: 0 });
    assert.equal(entries.length, 4);
    assert.equal(entries.at(-1)!.key, KEY);
    const position = new Map(entries.map((e, i) => [e.key, i]));
    for (const [i, e] of entries.entries()) {
      if (e.node.kind !== "whole") for (const child of e.node.children) assert.ok(position.get(child)! < i);
    }
  });

  it("reassembles exactly: order of keys, Maps with container keys, objects without prototype", () => {
    const bare = Object.assign(Object.create(null) as object, { z: [1], a: [2] });
    const value = { z: 1, a: [[1], { y: [2], b: 3 }], m: new Map<unknown, unknown>([[{ k: [1] }, [2]], ["s", new Set([1])]]), bare };
    const entries = plan(value);
    assert.ok(entries.length > 5);
    const loaded = load(entries, digest(value)) as typeof value;
    assert.deepStrictEqual(loaded, value);
    assert.deepEqual(Object.keys(loaded), ["z", "a", "m", "bare"]);
    assert.deepEqual(Object.keys(loaded.a[1] as object), ["y", "b"]);
    assert.equal(Object.getPrototypeOf(loaded.bare), null);
    assert.equal(digest(loaded), digest(value));
  });

  it("keeps a value whole when a part has no digest (possible only under an explicit key)", () => {
    class NoDigest {}
    const value = { f: [new NoDigest()] };
    assert.deepEqual(planEntries(value, KEY, { minPartSize: 0 }).map((e) => e.node.kind), ["whole"]);
  });

  it("rejects malformed parts", () => {
    assert.throws(() => assemble({ kind: "object", items: ["a"], slots: [], children: [] }, []), /odd number/);
    assert.throws(() => assemble({ kind: "object", items: [1, 2], slots: [], children: [] }, []), /not a string/);
  });
});

describe("destructuring in a FileStore", () => {
  const dir = tempDirs("destructure");

  /** Every file under `root`, with its size on disk (allocated blocks). */
  function filesUnder(root: string): { count: number; disk: number } {
    let count = 0;
    let disk = 0;
    for (const name of readdirSync(root, { recursive: true }) as string[]) {
      const stats = statSync(join(root, name));
      if (!stats.isFile()) continue;
      count++;
      disk += stats.blocks * 512;
    }
    return { count, disk };
  }

  it("stores a result of 100,000 small records in at most 4 files and 1.1× its JSON size on disk", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const c = new Cache({ values: store, calls: store });
    const table = fleche(function table(n: number) {
      return Array.from({ length: n }, (_, i) => ({ id: i, name: `item-${i}`, score: (i * 37) % 1000, ok: i % 3 === 0 }));
    }, { module: "destructure-test" });
    const result = await withCache(c, () => table(100_000));
    const json = Buffer.byteLength(JSON.stringify(result));
    const { count, disk } = filesUnder(root);
    assert.ok(count <= 4, `${count} files`);
    assert.ok(disk <= 1.1 * json, `${disk} bytes on disk for ${json} bytes of JSON`);
    const again = await withCache(c, () => table(100_000));
    assert.deepEqual(again, result);
  });

  it("stores a large part shared by two results once", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const shared = Array.from({ length: 10_000 }, (_, i) => `row ${i}`); // about 100 KB
    const a = (await store.saveValue({ name: "a", shared })) as string;
    const b = (await store.saveValue({ name: "b", shared: structuredClone(shared) })) as string;
    assert.deepEqual(await store.childDigests(a), [digest(shared)]);
    assert.deepEqual(await store.childDigests(b), [digest(shared)]);
    assert.equal([...store.listValues()].length, 3);
    assert.deepEqual(await store.loadValue(b), { name: "b", shared });
  });

  it("refers to an argument that reappears in the result instead of storing it again", async () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    const c = new Cache({ values: store, calls: store });
    const wrap = fleche(function wrap(config: { layers: number[] }) {
      return { config, output: [config.layers.length] };
    }, { module: "destructure-test" });
    const config = { layers: [64, 32, 16] };
    const result = await withCache(c, () => wrap(config));
    const resultKey = digest(result);
    assert.deepEqual(await store.childDigests(resultKey), [digest(config)]);
    assert.equal([...store.listValues()].length, 2, "the argument's entry and the result's");
    assert.deepEqual(await store.loadValue(resultKey), result);
  });

  it("keeps small binary data and Sets inside their parent with every serializer", async () => {
    for (const serializer of ["v8", "json", "msgpack"] as const) {
      const store = new FileStore({ root: dir(), serializer });
      const value = { bytes: new Uint8Array([1, 2, 3]), floats: new Float64Array([0.5, -0]), set: new Set(["a", 1]), rows: [[1], [2]] };
      const key = (await store.saveValue(value)) as string;
      assert.equal([...store.listValues()].length, 1, serializer);
      const loaded = await store.loadValue(key);
      assert.deepStrictEqual(loaded, value, serializer);
      assert.equal(digest(loaded), key, serializer);
    }
  });

  it("takes minPartSize (TypeScript) and min_part_size (TOML) with sizes as numbers or strings, and refuses bad ones naming the option", () => {
    assert.equal(new FileStore({ root: dir() }).minPartSize, DEFAULT_MIN_PART_SIZE);
    assert.equal(new FileStore({ root: dir(), minPartSize: "1MiB" }).minPartSize, 1 << 20);
    assert.equal(new FileStore({ root: dir(), minPartSize: 0 }).minPartSize, 0);
    const store = new FileStore({ root: dir(), minPartSize: 4096 });
    assert.equal(store.toConfig().min_part_size, 4096);
    assert.equal(new FileStore({ root: dir() }).toConfig().min_part_size, undefined, "the default is not written");
    const rebuilt = (cacheFromConfig({ values: { type: "file", root: dir(), min_part_size: "16 KiB" }, calls: { type: "memory" } }) as Cache).values as FileStore;
    assert.equal(rebuilt.minPartSize, 16 * 1024);
    const roundTrip = (cacheFromConfig({ values: store.toConfig(), calls: { type: "memory" } }) as Cache).values as FileStore;
    assert.equal(roundTrip.minPartSize, 4096);
    for (const bad of [-1, 1.5, "lots", null, true]) {
      assert.throws(() => new FileStore({ root: dir(), minPartSize: bad as never }), (e: unknown) => e instanceof ConfigError && /`minPartSize`/.test(e.message));
      assert.throws(
        () => cacheFromConfig({ values: { type: "file", root: dir(), min_part_size: bad }, calls: { type: "memory" } }),
        (e: unknown) => e instanceof ConfigError && /`min_part_size`/.test(e.message),
      );
    }
  });
});
