/** FileStore entries as bytes: copied to another store as they are, checked by the store receiving them. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FileStore } from "../../../src/index.js";
import { tempDirs } from "../../helpers/temp.js";

const dir = tempDirs("file-raw");
const K1 = "11".repeat(32);
const K2 = "22".repeat(32);

/** Copy `key` and its parts from `from` to `to` as bytes; false as soon as one entry is refused. */
async function copy(from: FileStore, to: FileStore, key: string): Promise<boolean> {
  for (const child of await from.childDigests(key)) if (!(await copy(from, to, child))) return false;
  return to.rawEntries.write(key, await from.rawEntries.read(key));
}

describe("FileStore raw entries", () => {
  const value = { name: "sweep", weights: new Float64Array(20_000).map((_, i) => i / 7), tags: ["a", "b"] };

  it("copies a value with its parts byte for byte; the copy loads equal", async () => {
    const a = new FileStore({ root: dir(), minPartSize: 1024 });
    const b = new FileStore({ root: dir() });
    const key = await a.saveValue(value);
    assert.ok((await a.childDigests(key)).length > 0, "the value is split into parts");
    assert.equal(await copy(a, b, key), true);
    assert.deepEqual(await b.loadValue(key), value);
    for (const k of [key, ...(await a.childDigests(key))]) {
      assert.deepEqual(Buffer.from(await b.rawEntries.read(k)), Buffer.from(await a.rawEntries.read(k)));
    }
  });

  it("copies compressed entries into a store that does not compress (the envelope names the compression)", async () => {
    const a = new FileStore({ root: dir(), compress: "gzip" });
    const b = new FileStore({ root: dir() });
    const key = await a.saveValue("x".repeat(10_000));
    assert.equal(await copy(a, b, key), true);
    assert.equal(await b.loadValue(key), "x".repeat(10_000));
  });

  it("refuses damaged bytes, and bytes under another key, storing nothing", async () => {
    const a = new FileStore({ root: dir() });
    const b = new FileStore({ root: dir() });
    const key = await a.saveValue([1, 2, 3]);
    const other = await a.saveValue([4, 5, 6]);
    const bytes = Buffer.from(await a.rawEntries.read(key));
    bytes[bytes.length - 1]! ^= 0xff;
    assert.equal(await b.rawEntries.write(key, bytes), false);
    assert.equal(await b.rawEntries.write(key, await a.rawEntries.read(other)), false);
    assert.equal(await b.rawEntries.write(key, Buffer.from("not an envelope")), false);
    assert.equal(b.containsValue(key), false);
  });

  it("signed stores accept bytes signed with a key they hold, and refuse others", async () => {
    const signed1 = new FileStore({ root: dir(), secretKey: K1 });
    const signed2 = new FileStore({ root: dir(), secretKey: K2 });
    const rotated = new FileStore({ root: dir(), secretKey: [K2, K1] });
    const plain = new FileStore({ root: dir() });
    const key = await signed1.saveValue({ big: "y".repeat(5000) });
    assert.equal(await copy(signed1, signed2, key), false);
    assert.equal(signed2.containsValue(key), false);
    assert.equal(await copy(signed1, rotated, key), true);
    assert.deepEqual(await rotated.loadValue(key), { big: "y".repeat(5000) });
    const unsigned = await plain.saveValue("plain");
    assert.equal(await copy(plain, signed1, unsigned), false, "an unsigned entry is refused by a signed store");
  });

  it("reads of an absent entry are misses", async () => {
    const a = new FileStore({ root: dir() });
    await assert.rejects(async () => a.rawEntries.read("ab".repeat(32)), { name: "CacheMiss" });
  });
});
