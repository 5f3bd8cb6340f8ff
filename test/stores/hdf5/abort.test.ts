/**
 * A WebAssembly abort inside HDF5 leaves the wasm instance in an unknown state. The store turns it into a
 * miss (or a SaveError) with a warning and loads a fresh instance for the next operation. The abort here
 * is a real one: emscripten aborts when code touches a runtime symbol the build did not export.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CacheMiss, Hdf5Store, SaveError } from "../../../src/index.js";
import { loadedH5wasm } from "../../../src/stores/hdf5/h5wasm.js";
import { captureLogs } from "../../helpers/logs.js";
import { KEY, tempRoot } from "./helpers.js";

/** Make the next call of `name` on the loaded instance abort the instance. */
function abortOnNext(name: string): void {
  const module = loadedH5wasm()!.Module as unknown as Record<string, unknown>;
  const original = module[name] as (...args: unknown[]) => unknown;
  module[name] = (...args: unknown[]) => {
    module[name] = original;
    void module.HEAPU32; // not exported by h5wasm's build: emscripten aborts
    return original(...args);
  };
}

describe("Hdf5Store after a WebAssembly abort", () => {
  it("misses, warns, and reads with a fresh instance afterwards", async () => {
    const store = new Hdf5Store({ root: tempRoot("abort") });
    const key = await store.saveValue(Float64Array.of(1, 2, 3));
    const first = loadedH5wasm();
    abortOnNext("get_dataset_data");
    const logs = captureLogs();
    try {
      await assert.rejects(async () => store.loadValue(key), CacheMiss);
      assert.match(logs.warn.join("\n"), /the HDF5 library aborted while reading/);
    } finally {
      logs.restore();
    }
    assert.equal(loadedH5wasm(), undefined, "the aborted instance is dropped");
    assert.deepStrictEqual(await store.loadValue(key), Float64Array.of(1, 2, 3));
    assert.notEqual(loadedH5wasm(), first, "a new instance serves the store");

    abortOnNext("create_dataset");
    await assert.rejects(store.saveValue(Float64Array.of(7), KEY("ab")), SaveError);
    assert.equal(await store.containsValue(KEY("ab")), false);
    await store.saveValue(Float64Array.of(7), KEY("ab"));
    assert.deepStrictEqual(await store.loadValue(KEY("ab")), Float64Array.of(7));
    await store.close();
  });
});
