import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Cache, ConfigError, FlecheError, Hdf5Store, Memory, cacheFromConfig } from "../../../src/index.js";
import { importH5wasm, loadH5wasm } from "../../../src/stores/hdf5/h5wasm.js";
import { h5Files, KEY, tempRoot } from "./helpers.js";

describe("Hdf5Store layout on disk", () => {
  it("groups keys by their first two hex characters by default, one group per entry", async () => {
    const root = tempRoot("layout");
    const store = new Hdf5Store({ root });
    for (const key of [KEY("aa01"), KEY("aa02"), KEY("bb")]) await store.saveValue(key, key);
    assert.deepEqual(h5Files(root), ["aa.h5", "bb.h5"]);
    const h5 = await loadH5wasm();
    const file = new h5.File(join(root, "aa.h5"), "r");
    assert.deepEqual(file.keys().sort(), [KEY("aa01"), KEY("aa02")]);
    assert.equal(file.get_attribute("fleche_format", false), 1);
    assert.equal(file.get_attribute("fleche_kind", false), "values");
    file.close();
    await store.close();
  });

  it("writes one file per key with prefixLength 0, and shorter prefixes on request", async () => {
    const perKey = tempRoot("perkey");
    const one = new Hdf5Store({ root: perKey, prefixLength: 0 });
    await one.saveValue("x", KEY("ab"));
    await one.saveValue("y", KEY("cd"));
    assert.deepEqual(h5Files(perKey), [`${KEY("ab")}.h5`, `${KEY("cd")}.h5`]);
    const short = tempRoot("short");
    const two = new Hdf5Store({ root: short, prefixLength: 1 });
    await two.saveValue("x", KEY("ab"));
    await two.saveValue("y", KEY("a9"));
    assert.deepEqual(h5Files(short), ["a.h5"]);
    await one.close();
    await two.close();
  });

  it("keeps call records apart, under <root>/calls", async () => {
    const root = tempRoot("calls");
    const store = new Hdf5Store({ root });
    const cached = new Cache({ values: store, calls: store, inline: false });
    const { fleche, cache } = await import("../../../src/index.js");
    using _ = cache(cached);
    const square = fleche(function square(x: number) {
      return x * x;
    });
    await square(12);
    assert.equal(await square(12), 144);
    const [callKey] = await cached.callKeys();
    assert.deepEqual(h5Files(join(root, "calls")), [`${callKey!.slice(0, 2)}.h5`]);
    assert.equal((await cached.valueKeys()).length, 2, "the argument and the result");
    await store.close();
  });

  it("removes the file with its last entry, and rebuilds a shared file without an evicted entry", async () => {
    const root = tempRoot("evict");
    const store = new Hdf5Store({ root });
    const big = KEY("ab01");
    await store.saveValue(new Float64Array(200_000), big);
    await store.saveValue("small", KEY("ab02"));
    const before = statSync(join(root, "ab.h5")).size;
    await store.evictValue(big);
    assert.ok(statSync(join(root, "ab.h5")).size < before / 10, "the space of the evicted entry is reclaimed");
    assert.equal(await store.containsValue(big), false);
    assert.equal(await store.loadValue(KEY("ab02")), "small");
    await store.evictValue(KEY("ab02"));
    assert.deepEqual(readdirSync(root), [], "no file, no lock file, no temporary file left");
    await store.close();
  });

  it("refuses to write into a root laid out with another prefix length, naming the option", async () => {
    const root = tempRoot("mismatch");
    const two = new Hdf5Store({ root });
    await two.saveValue(1, KEY("ab"));
    const zero = new Hdf5Store({ root, prefixLength: 0 });
    await assert.rejects(zero.saveValue(2, KEY("cd")), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /found 'ab\.h5', written with `prefix_length` = 2, but the store is configured with `prefix_length` = 0/);
      return true;
    });
    await two.close();
    await zero.close();
  });
});

describe("Hdf5Store options and config", () => {
  it("round-trips its config through the registry", async () => {
    const root = tempRoot("config");
    const store = new Hdf5Store({ root, prefixLength: 3, compression: 6 });
    const config = { values: store.toConfig(), calls: { type: "memory" } };
    assert.deepEqual(config.values, { type: "hdf5", root, prefix_length: 3, compression: 6 });
    const rebuilt = cacheFromConfig(config) as Cache;
    assert.ok(rebuilt.values instanceof Hdf5Store);
    assert.deepEqual(rebuilt.toConfig(), config);
    assert.deepEqual(new Hdf5Store({ root }).toConfig(), { type: "hdf5", root, prefix_length: 2, compression: false });
  });

  it("rejects unknown and invalid options with the option's name", () => {
    const config = (values: Record<string, unknown>) => () => cacheFromConfig({ values: { type: "hdf5", ...values }, calls: { type: "memory" } }, "fleche.toml [h5]");
    assert.throws(config({ root: "x", prefixLength: 2 }), /fleche\.toml \[h5\] values: unknown option `prefixLength` for a 'hdf5' store \(did you mean `prefix_length`\?\) \(known: root, prefix_length, compression\)/);
    assert.throws(config({ root: "x", prefix_length: 9 }), /`prefix_length` must be an integer from 0 to 8, got 9/);
    assert.throws(config({ root: "x", prefix_length: "2" }), /`prefix_length` must be an integer/);
    assert.throws(config({ root: "x", compression: "zstd" }), /`compression` must be false, "gzip" or a deflate level from 1 to 9, got 'zstd'/);
    assert.throws(config({}), (e: unknown) => e instanceof ConfigError && /values: `root` must be a directory path, got undefined/.test(e.message));
    assert.throws(() => new Hdf5Store({ root: "x", prefixLength: 1.5 }), /new Hdf5Store\(\.\.\.\): `prefixLength` must be an integer/);
  });

  it("can be the calls store of a cache whose values live elsewhere", async () => {
    const store = new Hdf5Store({ root: tempRoot("callsonly") });
    const mixed = new Cache({ values: new Memory(), calls: store });
    assert.deepEqual((mixed.toConfig() as { calls: unknown }).calls, store.toConfig());
    await store.close();
  });
});

describe("loading h5wasm", () => {
  it("happens on first use only", () => {
    const script = `
      import { Hdf5Store } from "./src/index.js";
      import { loadedH5wasm } from "./src/stores/hdf5/h5wasm.js";
      const store = new Hdf5Store({ root: process.argv[1] });
      const before = loadedH5wasm() === undefined;
      await store.containsValue("${KEY("ab")}");
      console.log(JSON.stringify({ before, after: loadedH5wasm() !== undefined }));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, tempRoot("lazy")], { encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { before: true, after: true });
  });

  it("names the package when it is missing", async () => {
    await assert.rejects(importH5wasm("h5wasm-is-not-installed"), (error: unknown) => {
      assert.ok(error instanceof FlecheError);
      assert.equal(error.code, "FLECHE_MISSING_DEPENDENCY");
      assert.match(error.message, /needs the optional package 'h5wasm' \(npm install h5wasm/);
      return true;
    });
  });
});

