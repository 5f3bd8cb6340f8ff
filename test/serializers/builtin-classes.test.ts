import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore, NdArray, ndarray } from "../../src/index.js";

describe("built-in classes", () => {
  it("NdArray round-trips through every serializer without registration", async () => {
    const root = mkdtempSync(join(tmpdir(), "fleche-ndarray-"));
    for (const serializer of ["v8", "json", "msgpack"] as const) {
      const store = new FileStore({ root: join(root, serializer), serializer });
      const value = ndarray(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
      const loaded = (await store.loadValue(await store.saveValue(value))) as NdArray;
      assert.ok(loaded instanceof NdArray, serializer);
      assert.deepEqual(loaded.shape, [2, 3]);
      assert.deepEqual(loaded.data, Int32Array.from([1, 2, 3, 4, 5, 6]));
      assert.equal(loaded.at(1, 2), 6);
    }
  });
});
