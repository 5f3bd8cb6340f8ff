/** Config → cache for every shape, templates, errors, and the toConfig() round trip. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache, CachePool, CacheStack, ConfigError, Memory, SizeLimited, Void, type CacheLike } from "../../src/index.js";
import { type CacheConfig } from "../../src/cache-like.js";
import { registerTemplate } from "../../src/config/templates.js";
import { Filtered } from "../../src/caches/filtered.js";
import { ReadOnly } from "../../src/caches/read-only.js";
import { expandTemplate, templateNames } from "../../src/config/templates.js";
import { cacheFromConfig } from "../../src/config/build.js";
import { JsonDirStore } from "../fixtures/json-dir-store.js";
import { tempDir } from "../helpers/project.js";

const MEM = { values: { type: "memory" }, calls: { type: "memory" } };
const VOID = { values: { type: "void" }, calls: { type: "void" } };

function roundTrips(config: CacheConfig): CacheLike {
  const cache = cacheFromConfig(config);
  assert.deepEqual(cache.toConfig(), config);
  assert.deepEqual(cacheFromConfig(cache.toConfig()).toConfig(), config);
  return cache;
}

describe("cache shapes from config", () => {
  it("builds a plain cache through the store registry", () => {
    const c = roundTrips(MEM) as Cache;
    assert.ok(c instanceof Cache && c.values instanceof Memory);
    assert.ok((cacheFromConfig(VOID) as Cache).calls instanceof Void);
  });

  it("builds stacks from arrays (and { stack = [...] } tables), keeping order", () => {
    const s = roundTrips([MEM, VOID]) as CacheStack;
    assert.ok(s instanceof CacheStack);
    assert.deepEqual(s.layers.map((l) => (l as Cache).values.type), ["memory", "void"]);
    assert.ok(cacheFromConfig({ stack: [MEM] }) instanceof CacheStack);
  });

  it("builds pools, whose members may be read-only, size-limited or stacks", () => {
    const config = { pool: [{ ...MEM, read_only: true }, [MEM, VOID], { ...MEM, max_size: 3 }] };
    const p = roundTrips(config) as CachePool;
    assert.ok(p instanceof CachePool);
    assert.ok(p.members[0] instanceof ReadOnly && p.members[1] instanceof CacheStack && p.members[2] instanceof SizeLimited);
  });

  it("applies modifiers in a fixed order: size limit, filter, read-only outermost", () => {
    const c = roundTrips({ ...MEM, max_size: 5, eviction: "lru", filter: { name: "train" }, read_only: true }) as ReadOnly;
    assert.ok(c instanceof ReadOnly);
    assert.ok(c.inner instanceof Filtered);
    const limited = (c.inner as Filtered).inner as SizeLimited;
    assert.ok(limited instanceof SizeLimited);
    assert.equal(limited.maxSize, 5);
    assert.equal(limited.eviction, "lru");
    roundTrips({ stack: [MEM, VOID], read_only: true });
    roundTrips({ pool: [MEM], max_size: 2 });
    const bytes = cacheFromConfig({ ...MEM, max_bytes: "2MiB" }) as SizeLimited;
    assert.equal(bytes.maxBytes, 2 * 1024 * 1024);
    assert.deepEqual(bytes.toConfig(), { ...MEM, max_bytes: 2 * 1024 * 1024 });
  });

  it("never modifies its input", () => {
    const config = { stack: [{ template: "memory", max_size: 2 }, { pool: [VOID] }], read_only: true };
    const copy = structuredClone(config);
    cacheFromConfig(config);
    assert.deepEqual(config, copy);
  });

  it("round-trips stores registered by third parties", () => {
    const root = tempDir();
    const config = { values: { type: "jsondir", root: join(root, "v") }, calls: { type: "jsondir", root: join(root, "c") } };
    const c = roundTrips(config) as Cache;
    assert.ok(c.values instanceof JsonDirStore);
  });

  it("round-trips views made in code", () => {
    const base = new Cache({ values: new Memory(), calls: new Memory() });
    assert.deepEqual(base.readOnly().toConfig(), { ...MEM, read_only: true });
    assert.deepEqual(base.filter({ name: "f", args: { x: [1, 2] } }).toConfig(), { ...MEM, filter: { name: "f", args: { x: [1, 2] } } });
    assert.deepEqual(new SizeLimited(base, { maxSize: 4 }).readOnly().toConfig(), { ...MEM, max_size: 4, read_only: true });
    assert.deepEqual(base.push(new Cache({ values: new Void(), calls: new Void() })).readOnly().toConfig(), { stack: [VOID, MEM], read_only: true });
    assert.throws(() => base.filter(() => true).toConfig(), /a view filtered by a function has no config form/);
    assert.throws(() => new ReadOnly(base.readOnly()).toConfig(), /already sets `read_only`/);
  });
});

describe("templates", () => {
  it("expand to the store tables of the original's templates", () => {
    assert.deepEqual(expandTemplate("memory", {}, "t"), MEM);
    assert.deepEqual(expandTemplate("file", { root: "/c" }, "t"), { values: { type: "file", root: "/c/values" }, calls: { type: "file", root: "/c/calls" } });
    assert.deepEqual(expandTemplate("hdf5", { root: "rel" }, "t"), { values: { type: "hdf5", root: "rel/values" }, calls: { type: "hdf5", root: "rel/calls" } });
    assert.deepEqual(expandTemplate("sql", { root: "/c" }, "t"), { values: { type: "file", root: "/c/values" }, calls: { type: "sql", url: "sqlite:////c/calls.db" } });
    assert.deepEqual(expandTemplate("sql", { root: "rel" }, "t"), { values: { type: "file", root: "rel/values" }, calls: { type: "sql", url: "sqlite:///rel/calls.db" } });
    assert.deepEqual(expandTemplate("sql", { root: "/c", values: "hdf5", url: "postgres://h/db" }, "t"), {
      values: { type: "hdf5", root: "/c/values" },
      calls: { type: "sql", url: "postgres://h/db" },
    });
    assert.deepEqual(expandTemplate("sql", { root: "/c", values: { type: "memory" } }, "t").values, { type: "memory" });
    assert.deepEqual(templateNames().filter((n) => ["memory", "file", "hdf5", "sql"].includes(n)), ["file", "hdf5", "memory", "sql"]);
  });

  it("reject unknown templates and wrong arguments, naming table and key", () => {
    assert.throws(() => cacheFromConfig({ template: "void" }), (e: Error) => e instanceof ConfigError && /cache config: unknown cache template "void" in key `template` \(choose from .*memory/.test(e.message));
    assert.throws(() => expandTemplate("memory", { root: "x" }, "f.toml [m]"), /f\.toml \[m\]: invalid arguments for cache template 'memory': unexpected key `root`/);
    assert.throws(() => expandTemplate("file", {}, "f.toml [m]"), /invalid arguments for cache template 'file': `root` must be a non-empty string/);
    assert.throws(() => expandTemplate("file", { root: "x", compress: "gzip" }, "o"), /unexpected key `compress`\. Use explicit `values`\/`calls`/);
    assert.throws(() => expandTemplate("sql", { root: "x", values: 3 }, "o"), /`values` must be a store type name or a store table/);
  });

  it("combine with modifiers, nest in stacks and pools, and can be registered", () => {
    const c = cacheFromConfig([{ template: "memory", read_only: true }, { pool: [{ template: "memory", max_size: 1 }] }]) as CacheStack;
    assert.ok(c.layers[0] instanceof ReadOnly && c.layers[1] instanceof CachePool);
    const root = tempDir();
    registerTemplate("jsondir", (args) => ({
      values: { type: "jsondir", root: join(String(args.root), "values") },
      calls: { type: "jsondir", root: join(String(args.root), "calls") },
    }));
    const j = cacheFromConfig({ template: "jsondir", root, inline: false }) as Cache;
    assert.deepEqual(j.toConfig(), { values: { type: "jsondir", root: join(root, "values") }, calls: { type: "jsondir", root: join(root, "calls") }, inline: false });
  });
});

describe("config errors", () => {
  const cases: [string, unknown, RegExp][] = [
    ["unknown cache key", { valeus: {}, calls: {} }, /o: unknown key `valeus` \(did you mean `values`\?\)/],
    ["unknown store type", { values: { type: "fiel" }, calls: { type: "memory" } }, /o values: unknown store type 'fiel'/],
    ["unknown store option", { values: { type: "memory", roto: 1 }, calls: { type: "memory" } }, /o values: unknown option `roto` for a 'memory' store/],
    ["nested stack", [[MEM]], /o\[0\]: stacks do not nest/],
    ["stack table in a stack", [{ stack: [MEM] }], /o\[0\]: stacks do not nest/],
    ["empty stack", [], /o: a stack needs at least one layer/],
    ["stack with other keys", { stack: [MEM], values: {} }, /o: key `values` does not go with `stack`/],
    ["pool not an array", { pool: MEM }, /o: `pool` must be an array/],
    ["bad max_size", { ...MEM, max_size: 0 }, /o: `max_size` must be a whole number ≥ 1/],
    ["bad max_bytes", { ...MEM, max_bytes: "lots" }, /o: `max_bytes` must be a number of bytes/],
    ["eviction alone", { ...MEM, eviction: "lru" }, /o: `eviction` needs `max_size` or `max_bytes`/],
    ["unknown eviction", { ...MEM, max_size: 2, eviction: "lfu" }, /o: unknown eviction policy "lfu" in key `eviction`/],
    ["bad read_only", { ...MEM, read_only: "yes" }, /o: `read_only` must be true or false/],
    ["bad filter key", { ...MEM, filter: { nmae: "x" } }, /o: unknown key `filter.nmae`/],
    ["not a table", 42, /o: a cache is a table/],
    ["missing calls", { values: { type: "memory" } }, /o: missing `calls` store table/],
    ["pool member", { pool: [{ template: "nope" }] }, /o\.pool\[0\]: unknown cache template "nope"/],
  ];
  for (const [label, config, pattern] of cases) {
    it(label, () => {
      assert.throws(() => cacheFromConfig(config as CacheConfig, "o"), (e: Error) => e instanceof ConfigError && pattern.test(e.message));
    });
  }
});
