/**
 * Content integrity of unsigned stores (issue 9): every file carries a CRC-32 check value that every
 * read checks before decompressing or deserializing. Damaged, swapped or edited files are misses with a
 * warning, are removed, and the call recomputes; decompression is bounded; self-referencing entries are
 * misses; files of the older format are misses too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { Cache, CacheMiss, FileStore, cache, digest, fleche } from "../../../src/index.js";
import { crc32 } from "../../../src/fs/crc32.js";
import { headerLine, type Header } from "../../../src/stores/envelope/envelope.js";
import { Signer } from "../../../src/stores/envelope/signing.js";
import { tempDirs } from "../../helpers/temp.js";
import { captureLogs } from "../../helpers/logs.js";

const dir = tempDirs("file-integrity");
const valuePath = (root: string, key: string) => join(root, key.slice(0, 2), key);
const callPath = (root: string, key: string) => join(root, key.slice(0, 2), `${key}.json`);
const unsigned = new Signer([]);

/** Write a value file of envelope 2 with a correct check value, whatever it holds. */
function craft(root: string, key: string, header: Header, payload: Uint8Array): void {
  mkdirSync(join(root, key.slice(0, 2)), { recursive: true });
  writeFileSync(valuePath(root, key), Buffer.concat([headerLine(key, header, payload, unsigned), payload]));
}

/** Run `fn` with fleche's warnings captured; returns them. */
async function warnings(fn: () => unknown): Promise<string[]> {
  const logs = captureLogs();
  try {
    await fn();
  } finally {
    logs.restore();
  }
  return logs.warn;
}

function flip(path: string, at: number): void {
  const bytes = readFileSync(path);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i]! ^= 0x01;
  writeFileSync(path, bytes);
}

describe("CRC-32", () => {
  it("equals zlib's for every size, in one call or continued", () => {
    for (const size of [0, 1, 7, 8, 9, 255, 4096, 65_535, 65_536, 200_001]) {
      const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff));
      const expected = zlib.crc32(data);
      assert.equal(crc32(data), expected, `size ${size}`);
      const cut = size >> 1;
      assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), expected, `size ${size}, continued`);
    }
  });
});

describe("FileStore integrity (unsigned)", () => {
  for (const compress of [false, "gzip"] as const) {
    it(`a value file with one flipped bit (same length) is a miss with a warning, removed, and recomputed (compress: ${compress})`, async () => {
      const root = dir();
      const store = new FileStore({ root, compress });
      let runs = 0;
      const series = fleche(function series(n: number) {
        runs++;
        return Array.from({ length: n }, (_, i) => i * i);
      });
      using _ = cache(new Cache({ values: store, calls: store }));
      await series(40);
      const resultKey = digest(Array.from({ length: 40 }, (_, i) => i * i));
      const path = valuePath(root, resultKey);
      flip(path, -3);
      const warned = await warnings(async () => assert.deepEqual(await series(40), Array.from({ length: 40 }, (_, i) => i * i)));
      assert.equal(runs, 2, "the body ran again");
      assert.equal(warned.length, 1);
      assert.match(warned[0]!, /failed its checksum/);
      assert.ok(warned[0]!.includes(path), "the warning names the file");
      assert.deepEqual(store.loadValue(resultKey), Array.from({ length: 40 }, (_, i) => i * i), "rewritten with a good file");
    });
  }

  it("two value files swapped are both misses (the check value covers the key)", async () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    const a = store.saveValue({ label: "a", values: [1] }) as string;
    const b = store.saveValue({ label: "b", values: [2] }) as string;
    renameSync(valuePath(root, a), join(root, "tmp"));
    renameSync(valuePath(root, b), valuePath(root, a));
    renameSync(join(root, "tmp"), valuePath(root, b));
    const warned = await warnings(() => {
      assert.throws(() => store.loadValue(a), CacheMiss);
      assert.throws(() => store.loadValue(b), CacheMiss);
    });
    assert.equal(warned.length, 2);
    assert.ok(!existsSync(valuePath(root, a)) && !existsSync(valuePath(root, b)), "both are removed");
  });

  it("a large value (read in chunks while it is checked) loads exactly, and one flipped bit makes it a miss", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const data = Float64Array.from({ length: 3_000_000 }, (_, i) => i / 3); // 24 MB: several read chunks
    const key = (await store.saveValue(data)) as string;
    assert.deepEqual(await store.loadValue(key), data);
    flip(valuePath(root, key), 13_000_000);
    const warned = await warnings(() => assert.rejects(async () => store.loadValue(key), CacheMiss));
    assert.match(warned.join("\n"), /failed its checksum/);
    assert.equal(existsSync(valuePath(root, key)), false);
  });

  it("a large compressed file is read in chunks, checked, then decompressed; a flipped bit makes it a miss", async () => {
    const root = dir();
    const store = new FileStore({ root, compress: "gzip" });
    let seed = 7;
    const data = Float64Array.from({ length: 100_000 }, () => (seed = (seed * 16807) % 2147483647) / 2147483647); // incompressible
    const key = (await store.saveValue(data)) as string;
    const path = valuePath(root, key);
    assert.ok(readFileSync(path).length > 256 * 1024, "large enough for the chunked path");
    assert.deepEqual(await store.loadValue(key), data);
    flip(path, 300_000);
    const warned = await warnings(() => assert.rejects(async () => store.loadValue(key), CacheMiss));
    assert.match(warned.join("\n"), /failed its checksum/);
  });

  it("a split value with a header line longer than the first read (thousands of parts) loads and lists its parts", async () => {
    const root = dir();
    const store = new FileStore({ root, minPartSize: 0 }); // every small part split: 4000 parts
    const value = Array.from({ length: 4000 }, (_, i) => [i]);
    const key = (await store.saveValue(value)) as string;
    assert.ok(readFileSync(valuePath(root, key)).length > 256 * 1024, "a header of 4000 keys makes a large file");
    assert.equal((await store.childDigests(key)).length, 4000);
    assert.deepEqual(await store.loadValue(key), value);
  });

  it("an edited inline value, an edited result digest or another key's record in a call record is a miss", async () => {
    const root = dir();
    const store = new FileStore({ root });
    let runs = 0;
    const add = fleche(function add(a: number, b: number) {
      runs++;
      return a + b;
    });
    const c = new Cache({ values: store, calls: store });
    using _ = cache(c);
    await add(2, 3);
    await add(4, 5);
    const k1 = await add.digest(2, 3);
    const k2 = await add.digest(4, 5);
    const edits: [string, (text: string) => string][] = [
      ["an inline value", (text) => text.replace(/,5\]\]/, ",6]]").replace(/,9\]\]/, ",8]]")],
      ["the result digest", (text) => text.replace(/"result":"(.)/, (_m, ch: string) => `"result":"${ch === "0" ? "1" : "0"}`)],
    ];
    for (const [label, edit] of edits) {
      const path = callPath(root, k1);
      const before = readFileSync(path, "utf8");
      writeFileSync(path, edit(before));
      assert.notEqual(readFileSync(path, "utf8"), before, label);
      const warned = await warnings(async () => assert.equal(await add(2, 3), 5, label));
      assert.match(warned.join("\n"), /failed its checksum/, label);
    }
    copyFileSync(callPath(root, k2), callPath(root, k1));
    const warned = await warnings(async () => assert.equal(await add(2, 3), 5));
    assert.match(warned.join("\n"), /record of another key/);
    assert.equal(runs, 2 + 3, "each damaged record was recomputed");
  });

  it("files of the older format (envelope 1, records without checksums) are misses, removed; the root is upgraded by the first write", async () => {
    const root = dir();
    const key = digest(["old"]);
    mkdirSync(join(root, key.slice(0, 2)), { recursive: true });
    writeFileSync(join(root, "fleche-store.json"), JSON.stringify({ format: "fleche-file-store", version: 1, shard: 2, digest: "fleche-digest-v1", serializer: "json", created: "x" }));
    writeFileSync(valuePath(root, key), 'FLECHE 1 - {"s":"json","n":7}       \n["old"]');
    const recordKey = "ab".repeat(32);
    mkdirSync(join(root, "ab"), { recursive: true });
    const old = { key: recordKey, name: "f", module: null, version: null, codeDigest: null, arguments: {}, result: null, metadata: {} };
    writeFileSync(callPath(root, recordKey), `${JSON.stringify(old)}\n`);
    const store = new FileStore({ root });
    const warned = await warnings(() => {
      assert.throws(() => store.loadValue(key), CacheMiss);
      assert.equal(store.loadCall(recordKey), undefined);
    });
    assert.match(warned[0]!, /older fleche \(envelope version 1/);
    assert.match(warned[1]!, /older fleche \(record format 1/);
    assert.ok(!existsSync(valuePath(root, key)) && !existsSync(callPath(root, recordKey)));
    assert.equal(JSON.parse(readFileSync(join(root, "fleche-store.json"), "utf8")).version, 1, "reading does not rewrite the manifest");
    store.saveValue(["old"]);
    assert.equal(JSON.parse(readFileSync(join(root, "fleche-store.json"), "utf8")).version, 2);
    assert.deepEqual(store.loadValue(key), ["old"]);
  });
});

describe("FileStore bounded decoding", () => {
  const zeros = Buffer.alloc(64 << 20); // 64 MB that compress to almost nothing

  it("a compressed file without a fleche header (an older whole-file-compressed file, or a bomb) is refused unread", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = "5b".repeat(32);
    mkdirSync(join(root, "5b"), { recursive: true });
    const bomb = zlib.brotliCompressSync(Buffer.concat([Buffer.from('FLECHE 1 - {"s":"raw","t":"Uint8Array","n":67108864}\n'), zeros]));
    assert.ok(bomb.length < 1024, "a tiny file");
    writeFileSync(valuePath(root, key), bomb);
    const warned = await warnings(() => assert.throws(() => store.loadValue(key), CacheMiss));
    assert.match(warned[0]!, /not a fleche value file/);
    assert.equal(existsSync(valuePath(root, key)), false);
  });

  for (const [z, pack] of [
    ["gzip", (data: Uint8Array) => zlib.gzipSync(data)],
    ["brotli", (data: Uint8Array) => zlib.brotliCompressSync(data)],
    ["zstd", async (data: Uint8Array) => (await import("zstd-napi")).compress(data)],
  ] as const) {
    it(`${z}: a payload that decompresses beyond its recorded length is a miss, whatever its check value says`, async () => {
      const root = dir();
      const store = new FileStore({ root });
      const key = "6c".repeat(32);
      const packed = await pack(zeros);
      craft(root, key, { s: "raw", n: packed.length, z, u: 1000, t: "Uint8Array" }, packed);
      const warned = await warnings(() => assert.rejects(async () => store.loadValue(key), CacheMiss));
      assert.match(warned[0]!, /decompresses to more than its recorded 1000 bytes/);
      assert.equal(existsSync(valuePath(root, key)), false);
    });
  }

  it("a payload that decompresses to less than its recorded length is a miss", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = "6d".repeat(32);
    const packed = zlib.gzipSync(Buffer.from("[1,2,3]"));
    craft(root, key, { s: "json", n: packed.length, z: "gzip", u: 8 }, packed);
    const warned = await warnings(() => assert.throws(() => store.loadValue(key), CacheMiss));
    assert.match(warned[0]!, /decompresses to 7 bytes, not its recorded 8/);
  });
});

describe("FileStore self-referencing entries", () => {
  /** A json payload of `n` items, each a slot for a part. */
  const items = (n: number) => Buffer.from(JSON.stringify(Array.from({ length: n }, () => null)));

  it("an entry whose part is itself, or leads back to it, is a miss with a warning, removed; verify finds it", async () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    const self = "7a".repeat(32);
    const a = "7b".repeat(32);
    const b = "7c".repeat(32);
    const plant = () => {
      craft(root, self, { s: "json", n: items(1).length, d: "array", c: [self], r: [0] }, items(1));
      craft(root, a, { s: "json", n: items(1).length, d: "array", c: [b], r: [0] }, items(1));
      craft(root, b, { s: "json", n: items(2).length, d: "array", c: [a], r: [1] }, items(2));
    };
    plant();

    const found = await store.verify();
    assert.deepEqual(found.problems.map((p) => p.key).sort(), [self, a, b].sort());
    assert.ok(found.problems.every((p) => /contains itself/.test(p.problem)));
    assert.equal(found.removed, 0);

    const warned = await warnings(() => {
      assert.throws(() => store.loadValue(self), CacheMiss);
      assert.throws(() => store.loadValue(a), CacheMiss);
    });
    assert.match(warned.join("\n"), /contains itself/);
    assert.doesNotMatch(warned.join("\n"), /call stack/);
    for (const key of [self, a, b]) assert.equal(existsSync(valuePath(root, key)), false, "the entries of the cycle are removed");

    plant();
    const repaired = await store.verify({ repair: true });
    assert.equal(repaired.removed, 3);
    assert.deepEqual((await store.verify()).problems, []);
  });
});

describe("FileStore verify", () => {
  it("checks check values by default; deep re-hashes values against their keys", async () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    const good = store.saveValue({ fine: [1, 2] }) as string;
    const big = (await store.saveValue(new Float64Array(100_000).fill(2))) as string;
    const damaged = store.saveValue(["damaged"]) as string;
    flip(valuePath(root, damaged), -2);
    // A file whose check value is right but whose content is another value's: only re-hashing sees it.
    const liar = digest(["the truth"]);
    const payload = Buffer.from('["a lie"]');
    craft(root, liar, { s: "json", n: payload.length }, payload);

    const shallow = await store.verify();
    assert.deepEqual(shallow.problems.map((p) => p.key), [damaged]);
    assert.match(shallow.problems[0]!.problem, /failed its checksum/);

    const deep = await store.verify({ deep: true });
    assert.deepEqual(deep.problems.map((p) => p.key).sort(), [damaged, liar].sort());
    assert.match(deep.problems.find((p) => p.key === liar)!.problem, /digests to [0-9a-f]{64}, not to its key/);
    assert.equal(deep.removed, 0);

    const repaired = await store.verify({ deep: true, repair: true });
    assert.equal(repaired.removed, 2);
    assert.deepEqual((await store.verify({ deep: true })).problems, []);
    assert.deepEqual(store.loadValue(good), { fine: [1, 2] });
    assert.deepEqual(await store.loadValue(big), new Float64Array(100_000).fill(2));
  });
});
