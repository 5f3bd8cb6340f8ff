/** FileStore in config files: snake_case options, round trips, and clear errors. */
import { describe, it, afterEach } from "node:test";
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { Cache, ConfigError, FileStore, cacheFromConfig } from "../../../src/index.js";
import { tempDirs } from "../../helpers/temp.js";

const dir = tempDirs("file-config");

describe("FileStore config", () => {
  afterEach(() => {
    delete process.env.FLECHE_SECRET_KEY;
  });

  it("builds from a config table and round-trips through toConfig()", () => {
    const root = dir();
    const config = {
      values: { type: "file", root: join(root, "values"), serializer: "json", compress: "gzip", remaining_depth: 2 },
      calls: { type: "file", root: join(root, "calls"), serializer: "msgpack" },
    };
    const built = cacheFromConfig(config) as Cache;
    assert.ok(built.values instanceof FileStore);
    assert.equal((built.values as FileStore).remainingDepth, 2);
    assert.deepEqual(built.toConfig(), config);
    assert.deepEqual(cacheFromConfig(built.toConfig()).toConfig(), config);
  });

  it("reads secret_key as hex strings, and writes `signed` instead of the keys", () => {
    const config = { type: "file", root: dir(), secret_key: ["aa".repeat(16), "bb".repeat(16)] };
    const store = (cacheFromConfig({ values: config, calls: { type: "memory" } }) as Cache).values as FileStore;
    assert.equal(store.signed, true);
    assert.deepEqual(store.toConfig(), { type: "file", root: config.root, serializer: "v8", signed: true });
  });

  it("a signed config needs a key from secret_key or FLECHE_SECRET_KEY", () => {
    const values = { type: "file", root: dir(), signed: true };
    assert.throws(() => cacheFromConfig({ values, calls: { type: "memory" } }), (e: unknown) => e instanceof ConfigError && /FLECHE_SECRET_KEY/.test(e.message));
    process.env.FLECHE_SECRET_KEY = "cc".repeat(16);
    assert.equal(((cacheFromConfig({ values, calls: { type: "memory" } }) as Cache).values as FileStore).signed, true);
    const off = { type: "file", root: dir(), signed: false };
    assert.equal(((cacheFromConfig({ values: off, calls: { type: "memory" } }) as Cache).values as FileStore).signed, false);
  });

  for (const [label, values, pattern] of [
    ["an unknown option", { type: "file", root: "x", lock_timeout: 1 }, /unknown option `lock_timeout` for a 'file' store/],
    ["a camelCase option", { type: "file", root: "x", secretKey: "00" }, /unknown option `secretKey` for a 'file' store \(did you mean `secret_key`\?\)/],
    ["a missing root", { type: "file" }, /needs a `root`/],
    ["an unknown serializer", { type: "file", root: "x", serializer: "pickle" }, /`serializer`.*v8, json, msgpack/],
    ["a bad compression", { type: "file", root: "x", compress: "lz4" }, /`compress`.*"gzip"/],
    ["a bad depth", { type: "file", root: "x", remaining_depth: -1 }, /`remaining_depth`/],
    ["bad hex", { type: "file", root: "x", secret_key: ["zz"] }, /`secret_key`.*not valid hex/],
  ] as const) {
    it(`rejects ${label} with a ConfigError naming it`, () => {
      assert.throws(
        () => cacheFromConfig({ values: values as never, calls: { type: "memory" } }),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && /cache config values/.test(e.message),
      );
    });
  }

  it("checks constructor options too", () => {
    assert.throws(() => new FileStore({ root: "" }), /`root`/);
    assert.throws(() => new FileStore({ root: dir(), serializer: "yaml" as never }), /unknown serializer "yaml"/);
    assert.throws(() => new FileStore({ root: dir(), remainingDepth: 1.5 }), /`remainingDepth`/);
    assert.throws(() => new FileStore({ root: dir(), compress: "zip" as never }), /`compress`/);
  });

  it("has shorthands per serializer, accepts compress: true as gzip and expands ~", () => {
    const root = dir();
    assert.equal(FileStore.v8({ root }).serializer, "v8");
    assert.equal(FileStore.json({ root }).serializer, "json");
    assert.equal(FileStore.msgpack({ root, compress: true }).compress, "gzip");
    assert.equal(new FileStore({ root: "~/some/cache" }).root, join(homedir(), "some/cache"));
    assert.equal(new FileStore({ root: "relative/dir" }).root, join(process.cwd(), "relative/dir"));
  });

  it("writes Infinity depth as remaining_depth = inf (TOML) and reads it back", () => {
    const store = new FileStore({ root: dir(), remainingDepth: Infinity });
    assert.equal(store.toConfig().remaining_depth, Infinity);
    assert.equal(((cacheFromConfig({ values: store.toConfig(), calls: { type: "memory" } }) as Cache).values as FileStore).remainingDepth, Infinity);
  });
});
