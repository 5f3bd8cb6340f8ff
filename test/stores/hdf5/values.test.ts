import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { Cache, D, Hdf5Store, Memory, NdArray, SaveError, cache, digest, digestSymbol, fleche, ndarray } from "../../../src/index.js";
import { loadH5wasm } from "../../../src/stores/hdf5/h5wasm.js";
import { captureLogs } from "../../helpers/logs.js";
import { h5Files, tempRoot } from "./helpers.js";

/** Save, load from a reopened store, and check the loaded value and its digest. */
async function roundTrip(value: unknown, expected: unknown = value): Promise<unknown> {
  const root = tempRoot("values");
  const store = new Hdf5Store({ root });
  const key = await store.saveValue(value);
  await store.close();
  const again = new Hdf5Store({ root });
  const loaded = await again.loadValue(key);
  await again.close();
  assert.deepStrictEqual(loaded, expected);
  assert.equal(digest(loaded), key, "the loaded value digests to its key");
  return loaded;
}

describe("Hdf5Store values beyond the conformance zoo", () => {
  it("keeps holes of sparse arrays, also trailing ones", async () => {
    const sparse: unknown[] = [1, , "three"];
    sparse.length = 6;
    const loaded = (await roundTrip(sparse)) as unknown[];
    assert.equal(loaded.length, 6);
    assert.equal(1 in loaded, false);
  });

  it("keeps shared references and cycles", async () => {
    const shared = { deep: [1, 2] };
    const value: Record<string, unknown> = { a: shared, b: shared, list: [shared] };
    value.self = value;
    const loaded = (await roundTrip(value)) as typeof value;
    assert.equal(loaded.a, loaded.b);
    assert.equal((loaded.list as unknown[])[0], loaded.a);
    assert.equal(loaded.self, loaded);
  });

  it("keeps object keys HDF5 cannot name, and __proto__ as data", async () => {
    const value = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    Object.assign(value, { "": 1, ".": 2, "a/b": 3, "%": 4, "%2F": 5, "nul\0": 6, "\uD800lone": 7, "ok 🎉": 8, "..": 9 });
    const loaded = (await roundTrip(value)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(loaded), Object.prototype);
    assert.deepStrictEqual(Object.keys(loaded), Object.keys(value), "keys come back in insertion order");
  });

  it("keeps strings UTF-8 cannot carry (NUL, lone surrogates) and strings with trailing spaces", async () => {
    await roundTrip("a\0b");
    await roundTrip("\uDC00 lone \uD83D");
    await roundTrip(["x", "trailing  ", "\0"]);
    await roundTrip({ text: "padded   " });
  });

  it("keeps the less common built-ins", async () => {
    const re = /x+/y;
    re.lastIndex = 4;
    const shared = new SharedArrayBuffer(4);
    new Uint8Array(shared).set([1, 2, 3, 4]);
    await roundTrip(re);
    await roundTrip(Object.assign(Object.create(null) as object, { a: 1, nested: { b: 2 } }));
    await roundTrip(2n ** 200n);
    await roundTrip(-(2n ** 63n));
    await roundTrip(Buffer.from("bytes"));
    await roundTrip(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2), new DataView(new Uint8Array([8, 7]).buffer));
    await roundTrip(new Uint8ClampedArray([0, 128, 255]));
    await roundTrip(BigUint64Array.from([0n, 2n ** 64n - 1n]));
    await roundTrip(new Float32Array([1.5, NaN, -0]));
    await roundTrip(shared);
    await roundTrip(new Map<unknown, unknown>([[{ k: [1] }, new Set([1n, "x"])], [null, undefined]]));
    await roundTrip(new Set([[1, 2], "two"]));
    await roundTrip(D(digest("referenced")));
    await roundTrip([1, 2.5, -0, NaN, Infinity]);
    await roundTrip([true, null, undefined, 3n]);
  });

  it("keeps NdArray values of every dtype and shape", async () => {
    await roundTrip(ndarray(new Float64Array(6).fill(1), [2, 3]));
    await roundTrip(ndarray(Int16Array.from([1, -2, 3, -4, 5, -6, 7, -8]), [2, 2, 2]));
    await roundTrip(ndarray(BigInt64Array.of(-5n), []));
    await roundTrip(ndarray(new Uint32Array(0), [0, 3]));
    await roundTrip({ image: ndarray(new Uint8Array(12), [3, 4]), label: "zeros" });
  });

  it("stores a value already present only once (the file is not rewritten)", async () => {
    const root = tempRoot("once");
    const store = new Hdf5Store({ root });
    const key = await store.saveValue([1, 2, 3]);
    const before = statSync(join(root, `${key.slice(0, 2)}.h5`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.saveValue([1, 2, 3]);
    const after = statSync(join(root, `${key.slice(0, 2)}.h5`));
    assert.equal(after.ino, before.ino);
    assert.ok(after.mtimeMs > before.mtimeMs, "only touched, so gc's grace period counts from this reuse (docs/gc.md)");
    await store.close();
  });
});

describe("Hdf5Store refusals", () => {
  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
    [digestSymbol]() {
      return ["Point", this.x, this.y];
    }
  }

  it("refuses what the layout cannot hold with a SaveError naming where it sits, and writes nothing", async () => {
    const root = tempRoot("refuse");
    const store = new Hdf5Store({ root });
    const cases: [unknown, RegExp][] = [
      [{ a: { b: () => 1 } }, /value\.a\.b: it is a function/],
      [[1, Symbol("s")], /value\[1\]: it is a symbol/],
      [{ p: new Point(1, 2) }, /value\.p: it is an instance of Point/],
      [new Map([["k", new WeakMap()]]), /value<values>\[0\]: it is an instance of WeakMap/],
      [{ [digestSymbol]: () => "custom" }, /its own digest method/],
      [Object.defineProperty({}, Symbol("s"), { value: 1, enumerable: true }), /symbol keys/],
    ];
    for (const [value, message] of cases) {
      await assert.rejects(store.saveValue(value, "ab".padEnd(64, "0")), (error: unknown) => {
        assert.ok(error instanceof SaveError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
    assert.deepEqual(h5Files(root), []);
    await store.close();
  });

  it("lets a wrapped function whose result cannot be stored run uncached, with a warning", async () => {
    const logs = captureLogs();
    try {
      using _ = cache(new Cache({ values: new Hdf5Store({ root: tempRoot("uncached") }), calls: new Memory() }));
      let runs = 0;
      const makePoint = fleche(function makePoint(x: number) {
        runs++;
        return new Point(x, 2 * x);
      });
      const first = await makePoint(3);
      const second = await makePoint(3);
      assert.ok(first instanceof Point && second instanceof Point);
      assert.equal(second.y, 6);
      assert.equal(runs, 2, "the body runs every time: nothing was cached");
      assert.ok(logs.warn.some((m) => /cannot hold value: it is an instance of Point/.test(m)), logs.warn.join("\n"));
    } finally {
      logs.restore();
    }
  });
});

describe("Hdf5Store compression", () => {
  it("chunks and deflates large numeric datasets only, and reads them back", async () => {
    const root = tempRoot("gzip");
    const store = new Hdf5Store({ root, compression: "gzip", prefixLength: 0 });
    const big = new Float64Array(200_000).map((_, i) => i % 7);
    const small = new Float64Array(100).fill(2);
    const bigKey = await store.saveValue(big);
    const smallKey = await store.saveValue(small);
    assert.deepStrictEqual(await store.loadValue(bigKey), big);
    assert.deepStrictEqual(await store.loadValue(smallKey), small);
    await store.close();
    const h5 = await loadH5wasm();
    const file = new h5.File(join(root, `${bigKey}.h5`), "r");
    const dataset = new h5.Dataset(file.file_id, `/${bigKey}`);
    assert.deepEqual(dataset.filters.map((f) => f.name), ["deflate"]);
    assert.deepEqual(dataset.metadata.chunks, [131072]);
    file.close();
    const smallFile = new h5.File(join(root, `${smallKey}.h5`), "r");
    assert.equal(new h5.Dataset(smallFile.file_id, `/${smallKey}`).metadata.chunks, null);
    smallFile.close();
    assert.ok(statSync(join(root, `${bigKey}.h5`)).size < big.byteLength / 4, "repetitive data compresses");
  });
});

describe("NdArray", () => {
  it("checks its data and shape, indexes row-major and digests by content", () => {
    const a = new NdArray(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    assert.equal(a.at(1, 0), 4);
    assert.equal(a.ndim, 2);
    assert.equal(a.size, 6);
    assert.throws(() => a.at(2, 0), RangeError);
    assert.throws(() => new NdArray(new Float64Array(5), [2, 3]), /holds 6 elements, but data has 5/);
    assert.throws(() => new NdArray(new Uint8ClampedArray(2) as unknown as Uint8Array, [2]), TypeError);
    assert.throws(() => ndarray(new Float64Array(2), [-1, -2]), TypeError);
    assert.equal(digest(a), digest(ndarray(Float64Array.from([1, 2, 3, 4, 5, 6]), [2, 3])));
    assert.notEqual(digest(a), digest(ndarray(Float64Array.from([1, 2, 3, 4, 5, 6]), [3, 2])));
    assert.notEqual(digest(a), digest(ndarray(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3])));
    assert.throws(() => ((a.shape as number[])[0] = 9), TypeError);
  });
});
