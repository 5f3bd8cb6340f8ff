/**
 * The files are plain HDF5: Debian's h5py reads what fleche writes (dtype, shape, contents, checksums),
 * fleche reads what h5py writes in the same layout, and HDF5's own tools (h5ls, h5dump) list the datasets.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { Hdf5Store, NdArray, ndarray } from "../../../src/index.js";
import { KEY, tempRoot } from "./helpers.js";

const PYTHON = "/usr/bin/python3";

function python(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(PYTHON, ["-c", script, ...args], { encoding: "utf8" }));
}

const TYPED: [string, () => ArrayBufferView, string][] = [
  ["Float64Array", () => Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i)), "float64"],
  ["Float32Array", () => Float32Array.of(1.5, -2.25), "float32"],
  ["Int8Array", () => Int8Array.of(-128, 127), "int8"],
  ["Int16Array", () => Int16Array.of(-32768, 1), "int16"],
  ["Int32Array", () => Int32Array.of(-1, 2 ** 31 - 1), "int32"],
  ["BigInt64Array", () => BigInt64Array.of(-(2n ** 63n), 5n), "int64"],
  ["Uint8Array", () => Uint8Array.of(0, 255), "uint8"],
  ["Uint16Array", () => Uint16Array.of(65535), "uint16"],
  ["Uint32Array", () => Uint32Array.of(2 ** 32 - 1), "uint32"],
  ["BigUint64Array", () => BigUint64Array.of(2n ** 64n - 1n), "uint64"],
];

describe("HDF5 interop", () => {
  it("h5py reads typed arrays, n-d arrays, objects and scalars with the right dtype, shape and contents", async () => {
    const root = tempRoot("to-h5py");
    const store = new Hdf5Store({ root, prefixLength: 0, compression: "gzip" });
    const keys: Record<string, string> = {};
    for (const [name, make] of TYPED) keys[name] = await store.saveValue(make());
    keys.nd = await store.saveValue(ndarray(Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]));
    keys.object = await store.saveValue({ name: "run 7", values: [1, 2, 3], nested: { flag: true }, when: new Date(0) });
    keys.map = await store.saveValue(new Map([["a", 1], ["b", 2]]));
    keys.text = await store.saveValue("héllo ✓");
    keys.big = await store.saveValue(new Float64Array(100_000).fill(3)); // compressed
    await store.close();

    const report = python(
      `
import h5py, json, sys, zlib, numpy as np
root, keys = sys.argv[1], json.loads(sys.argv[2])
out = {}
def open_entry(key):
    f = h5py.File(f"{root}/{key}.h5", "r")
    return f, f[key]
for label, key in keys.items():
    f, node = open_entry(key)
    info = {"type": node.attrs["fleche_type"].decode(), "kind": type(node).__name__}
    if isinstance(node, h5py.Dataset):
        info.update(dtype=str(node.dtype), shape=list(node.shape))
        data = node[()]
        if node.dtype.kind in "iuf":
            info["values"] = [float(x) if node.dtype.kind == "f" else str(x) for x in np.ravel(data)[:4]]
            info["crc_ok"] = int(node.attrs["fleche_crc32"]) == zlib.crc32(np.ascontiguousarray(data).tobytes())
            info["compression"] = node.compression
        else:
            info["text"] = data.decode("utf-8")
    else:
        info["members"] = list(node.keys())
        info["member_types"] = [node[m].attrs["fleche_type"].decode() for m in node.keys()]
    if label == "object":
        info["values"] = node["values"][()].tolist()
        info["flag"] = int(node["nested"]["flag"][()])
        info["name"] = node["name"][()].decode("utf-8")
    if label == "map":
        info["pairs"] = dict(zip([k.decode() for k in node["keys"][()]], node["values"][()].tolist()))
    out[label] = info
    f.close()
print(json.dumps(out))
`,
      root,
      JSON.stringify(keys),
    ) as Record<string, Record<string, unknown>>;

    for (const [name, , dtype] of TYPED) {
      assert.equal(report[name]!.type, name);
      assert.equal(report[name]!.dtype, dtype, name);
      assert.equal(report[name]!.crc_ok, true, `${name}: fleche_crc32 is zlib's CRC-32 of the data`);
    }
    assert.deepEqual(report.Float64Array!.shape, [1000]);
    assert.deepEqual((report.Float64Array!.values as number[]).slice(0, 2), [0, Math.sin(1)]);
    assert.deepEqual(report.BigInt64Array!.values, ["-9223372036854775808", "5"]);
    assert.deepEqual(report.BigUint64Array!.values, ["18446744073709551615"]);
    assert.deepEqual(report.nd, { type: "NdArray", kind: "Dataset", dtype: "float32", shape: [3, 4], values: [0, 1, 2, 3], crc_ok: true, compression: null });
    assert.deepEqual(report.object!.members, ["name", "values", "nested", "when"], "members in insertion order");
    assert.deepEqual(report.object!.member_types, ["string", "Array", "Object", "Date"]);
    assert.deepEqual(report.object!.values, [1, 2, 3]);
    assert.equal(report.object!.flag, 1);
    assert.equal(report.object!.name, "run 7");
    assert.deepEqual(report.map!.pairs, { a: 1, b: 2 });
    assert.equal(report.text!.text, "héllo ✓");
    assert.equal(report.big!.compression, "gzip");
    assert.equal(report.big!.crc_ok, true);
  });

  it("loads what h5py writes in the same layout, tagged or not, and appends to h5py's files", async () => {
    const root = tempRoot("from-h5py");
    const keys = { tagged: KEY("ab01"), matrix: KEY("ab02"), group: KEY("ab03"), text: KEY("ab04"), mirror: KEY("ab05"), list: KEY("ab07"), empty: KEY("ab08") };
    python(
      `
import h5py, json, sys, numpy as np
root, keys = sys.argv[1], json.loads(sys.argv[2])
with h5py.File(f"{root}/ab.h5", "w") as f:
    d = f.create_dataset(keys["tagged"], data=np.arange(10, dtype=np.float64))
    d.attrs["fleche_type"] = "Float64Array"
    f.create_dataset(keys["matrix"], data=np.ones((5, 5)))
    g = f.create_group(keys["group"])
    g["count"] = np.int64(42)
    g["ratio"] = 0.25
    g["label"] = "from python"
    g["series"] = np.array([1, 2, 3], dtype=np.int32)
    f[keys["text"]] = "plain string"
    m = f.create_group(keys["mirror"])
    m.attrs["fleche_type"] = "Map"
    m["keys"] = np.array([1.0, 2.0]); m["keys"].attrs["fleche_type"] = "Array"
    m["values"] = np.array([b"one", b"two"], dtype=h5py.string_dtype()); m["values"].attrs["fleche_type"] = "Array"
    f[keys["list"]] = np.array(["x", "ü"], dtype=h5py.string_dtype())
    f.create_dataset(keys["empty"], data=h5py.Empty("f8"))
print("{}")
`,
      root,
      JSON.stringify(keys),
    );
    const store = new Hdf5Store({ root });
    assert.deepStrictEqual(await store.loadValue(keys.tagged), Float64Array.from({ length: 10 }, (_, i) => i));
    const matrix = (await store.loadValue(keys.matrix)) as NdArray<Float64Array>;
    assert.ok(matrix instanceof NdArray);
    assert.deepEqual(matrix.shape, [5, 5]);
    assert.equal(matrix.data.reduce((a, b) => a + b, 0), 25);
    assert.deepStrictEqual(await store.loadValue(keys.group), { count: 42, ratio: 0.25, label: "from python", series: Int32Array.of(1, 2, 3) });
    assert.equal(await store.loadValue(keys.text), "plain string");
    assert.deepStrictEqual(await store.loadValue(keys.mirror), new Map<unknown, unknown>([[1, "one"], [2, "two"]]));
    assert.deepStrictEqual(await store.loadValue(keys.list), ["x", "ü"]);
    assert.equal(await store.loadValue(keys.empty), null);

    // Appending to h5py's file keeps it readable by h5py.
    await store.saveValue({ added: "by fleche" }, KEY("ab06"));
    await store.close();
    const listed = python(
      `import h5py, json, sys; f = h5py.File(sys.argv[1], "r"); print(json.dumps(sorted(f.keys())))`,
      join(root, "ab.h5"),
    );
    assert.deepEqual(listed, [...Object.values(keys), KEY("ab06")].sort());

    // Evicting would rewrite the file, and h5wasm cannot write h5py's empty dataspace: refused, nothing lost.
    const again = new Hdf5Store({ root });
    await assert.rejects(again.evictValue(keys.text), /cannot be rewritten without losing value .* empty dataspace/);
    assert.equal(await again.loadValue(keys.text), "plain string");
    assert.equal(await again.loadValue(keys.empty), null);
    await again.close();
  });

  it("h5ls and h5dump list and show the stored datasets", async () => {
    const root = tempRoot("tools");
    const store = new Hdf5Store({ root });
    const key = await store.saveValue(ndarray(Float64Array.of(1, 2, 3, 4, 5, 6), [2, 3]));
    const objectKey = await store.saveValue({ temperature: Float32Array.of(20.5, 21) }, key.slice(0, 2) + "f".repeat(62));
    await store.close();
    const file = join(root, `${key.slice(0, 2)}.h5`);
    const listing = execFileSync("h5ls", ["-r", file], { encoding: "utf8" });
    assert.match(listing, new RegExp(`^/${key}\\s+Dataset \\{2, 3\\}$`, "m"));
    assert.match(listing, new RegExp(`^/${objectKey}/temperature\\s+Dataset \\{2\\}$`, "m"));
    const dump = execFileSync("h5dump", ["-d", `/${key}`, file], { encoding: "utf8" });
    assert.match(dump, /DATATYPE\s+H5T_IEEE_F64LE/);
    assert.match(dump, /DATASPACE\s+SIMPLE \{ \( 2, 3 \) \/ \( 2, 3 \) \}/);
    assert.match(dump, /\(0,0\): 1, 2, 3,\s+\(1,0\): 4, 5, 6/);
    assert.match(dump, /ATTRIBUTE "fleche_type"[\s\S]*"NdArray"/);
  });
});
