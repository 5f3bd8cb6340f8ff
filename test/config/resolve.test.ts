/**
 * Name resolution in-process, with configuration given in code (`configure`, with `root = true` so no
 * file on this machine interferes). Discovery from files is covered in discovery.test.ts.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { Cache, CachePool, CacheStack, ConfigError, Memory, cache, configure, defineConfig, fleche, withCache } from "../../src/index.js";
import { currentConfig, defaultCache, defaultMetadata, isStrict, resetConfig, resolveCacheName, setStrictDefault } from "../../src/config/resolve.js";
import { ReadOnly } from "../../src/caches/read-only.js";
import { captureLogs } from "../helpers/logs.js";

const MEM = { values: { type: "memory" }, calls: { type: "memory" } };

afterEach(() => {
  resetConfig();
  setStrictDefault(false);
  delete process.env.FLECHE_STRICT;
  delete process.env.FLECHE_CACHE;
});

describe("configure() and name resolution", () => {
  it("uses a typed config given in code, and interns every name", () => {
    configure(defineConfig({ default: { root: true, cache: "main" }, main: { template: "memory", max_size: 4 }, team: [MEM, { ...MEM, read_only: true }] }));
    assert.deepEqual(currentConfig().layers.map((l) => l.file), ["configure()"]);
    assert.equal(defaultCache(), resolveCacheName("main"));
    assert.equal(cache(), resolveCacheName("default"));
    assert.equal(resolveCacheName("team"), resolveCacheName("team"));
    assert.ok(resolveCacheName("team") instanceof CacheStack);
    assert.equal(resolveCacheName("memory"), resolveCacheName("memory"));
    assert.notEqual(resolveCacheName("memory"), resolveCacheName("void"));
  });

  it("anchors relative paths at baseDir", () => {
    configure({ default: { root: true }, j: { values: { type: "memory" }, calls: { type: "sql", url: "calls.db" } } }, { baseDir: "/proj" });
    assert.deepEqual((currentConfig().tables.get("j")!.value as { calls: unknown }).calls, { type: "sql", url: "sqlite:////proj/calls.db" });
  });

  it("parses the TOML forms of stacks and pools", () => {
    const data = parse(`
[[layered]]
template = "memory"
[[layered]]
template = "memory"
read_only = true

[colleagues]
[[colleagues.pool]]
template = "memory"
[[colleagues.pool]]
values = { type = "void" }
calls = { type = "void" }

[mine-first]
stack = [ { template = "memory" }, { pool = [ { template = "memory" } ] } ]
read_only = true
`);
    configure({ ...data, default: { root: true } });
    const layered = resolveCacheName("layered") as CacheStack;
    assert.ok(layered instanceof CacheStack && layered.layers[1] instanceof ReadOnly);
    assert.ok(resolveCacheName("colleagues") instanceof CachePool);
    const mine = resolveCacheName("mine-first") as ReadOnly;
    assert.ok(mine instanceof ReadOnly && mine.inner instanceof CacheStack);
    assert.deepEqual(mine.toConfig(), { stack: [MEM, { pool: [MEM] }], read_only: true });
  });

  it("throws for a name nothing defines, listing what is defined", () => {
    configure({ default: { root: true }, main: MEM });
    assert.throws(() => cache("mian"), (e: Error) => e instanceof ConfigError && /unknown cache name 'mian' \(did you mean `main`\?\); defined: main/.test(e.message));
  });

  it("falls back to an in-memory cache for a broken section with a warning, or throws when strict", () => {
    configure({ default: { root: true }, broken: { values: { type: "memory", bogus: 1 }, calls: { type: "memory" } } } as never);
    const logs = captureLogs();
    try {
      const fallback = resolveCacheName("broken");
      assert.deepEqual(fallback.toConfig(), MEM);
      assert.equal(resolveCacheName("broken"), fallback, "interned: warned once");
      assert.equal(logs.warn.length, 1);
      assert.match(logs.warn[0]!, /configure\(\) \[broken\] values: unknown option `bogus`/);
      assert.notEqual(fallback, resolveCacheName("memory"), "a fallback is its own cache, per name");
    } finally {
      logs.restore();
    }
    resetConfig();
    configure({ default: { root: true, strict: true }, broken: { values: { type: "memory", bogus: 1 }, calls: { type: "memory" } } } as never);
    assert.equal(isStrict(), true);
    assert.throws(() => resolveCacheName("broken"), ConfigError);
  });

  it("decides strictness: FLECHE_STRICT, then [default] strict, then the program's default", () => {
    configure({ default: { root: true } });
    assert.equal(isStrict(), false);
    setStrictDefault(true);
    assert.equal(isStrict(), true);
    configure({ default: { root: true, strict: false } });
    assert.equal(isStrict(), false, "[default] strict = false beats the program's default");
    process.env.FLECHE_STRICT = "1";
    assert.equal(isStrict(), true);
    process.env.FLECHE_STRICT = "off";
    assert.equal(isStrict(), false);
  });

  it("FLECHE_CACHE is read when the default is first needed", () => {
    configure({ default: { root: true, cache: "a" }, a: MEM, b: { values: { type: "void" }, calls: { type: "void" } } });
    process.env.FLECHE_CACHE = "b";
    assert.equal(defaultCache(), resolveCacheName("b"));
  });

  it("configures the default metadata, which wrapped functions record", async () => {
    configure({ default: { root: true, metadata: [] } });
    assert.deepEqual(defaultMetadata(), []);
    const c = new Cache({ values: new Memory(), calls: new Memory() });
    const f = fleche(function bare(x: number) {
      return x;
    });
    await withCache(c, () => f(1));
    assert.deepEqual((await c.query().only()).metadata, {});
  });

  it("replaces and removes the code layer", () => {
    configure({ default: { root: true }, a: MEM });
    configure({ default: { root: true }, b: MEM });
    assert.ok(!currentConfig().tables.has("a"));
    configure(undefined);
    assert.ok(!currentConfig().layers.some((l) => l.file === "configure()"));
  });
});
