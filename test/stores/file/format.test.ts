/** The on-disk format of FileStore (docs/file-format.md): layout, manifest, envelope, records, compression. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Cache, FileStore, cache, digest, fleche } from "../../../src/index.js";
import { crc32 } from "../../../src/fs/crc32.js";
import { tempDirs } from "../../helpers/temp.js";
import { bundleScript } from "../../helpers/bundle.js";
import { spawnSync } from "node:child_process";
import { sampleRecord } from "../../../src/testing/call-store.js";

const dir = tempDirs("file-format");

function firstLine(path: string): string {
  const bytes = readFileSync(path);
  return bytes.subarray(0, bytes.indexOf(0x0a) + 1).toString("latin1");
}

describe("FileStore format", () => {
  it("shards entries by their first two hex digits and writes a manifest with the first entry", () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    assert.deepEqual(readdirSyncSafe(root), [], "nothing is created before the first write");
    const key = store.saveValue({ hello: "world" }) as string;
    const record = sampleRecord(1);
    store.saveCall(record);
    assert.ok(statSync(join(root, key.slice(0, 2), key)).isFile());
    assert.ok(statSync(join(root, record.key.slice(0, 2), `${record.key}.json`)).isFile());
    const manifest = JSON.parse(readFileSync(join(root, "fleche-store.json"), "utf8"));
    assert.deepEqual({ ...manifest, created: "-" }, { format: "fleche-file-store", version: 2, shard: 2, digest: "fleche-digest-v1", serializer: "json", created: "-" });
  });

  it("writes call records as plain JSON with their check value, inline values included", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const cached = new Cache({ values: store, calls: store });
    await withCache(cached, async () => {
      const greet = fleche(function greet(name: string) {
        return `Hello, ${name}!`;
      });
      await greet("World");
      const [key] = await cached.callKeys();
      const text = readFileSync(join(root, key!.slice(0, 2), `${key}.json`), "utf8");
      const wrapper = JSON.parse(text);
      assert.match(text, /^\{"crc32":"[0-9a-f]{8}","record":\{/);
      assert.equal(wrapper.crc32, crc32(Buffer.from(text.slice(18))).toString(16).padStart(8, "0"), "the check value covers every byte after it");
      const parsed = wrapper.record;
      assert.equal(parsed.name, "greet");
      assert.deepEqual(parsed.inline, [[parsed.arguments.name, "World"], [parsed.result, "Hello, World!"]]);
      assert.deepEqual(await cached.valueKeys(), [], "a small call costs one record file and no value file");
    });
  });

  it("puts a one-line header before each value's payload, padded to 8 bytes", () => {
    const root = dir();
    const store = new FileStore({ root, minPartSize: 0 }); // every part an entry, so the header lists one
    const value = [1, [2, 3]];
    const key = store.saveValue(value) as string;
    const line = firstLine(join(root, key.slice(0, 2), key));
    assert.match(line, /^FLECHE 2 [0-9a-f]{8} - \{.*\} *\n$/);
    assert.equal(line.length % 8, 0);
    const header = JSON.parse(line.slice("FLECHE 2 01234567 - ".length));
    assert.deepEqual(header, { s: "v8", n: header.n, d: "array", c: [digest([2, 3])], r: [1] });
    assert.equal(statSync(join(root, key.slice(0, 2), key)).size, line.length + header.n);
  });

  it("stores binary values as raw bytes (≤ 1.01× their size) and loads large ones without a copy", async () => {
    const root = dir();
    const store = new FileStore({ root, serializer: "json" });
    const data = Float64Array.from({ length: 1 << 20 }, (_, i) => i * 0.5);
    const key = (await store.saveValue(data)) as string;
    const path = join(root, key.slice(0, 2), key);
    assert.match(firstLine(path), /"s":"raw".*"t":"Float64Array"/);
    assert.ok(statSync(path).size <= data.byteLength * 1.01);
    const loaded = store.loadValue(key);
    assert.ok(loaded instanceof Promise, "large files are read through the thread pool");
    const array = (await loaded) as Float64Array;
    assert.deepEqual(array, data);
    assert.equal(array.buffer.byteLength, data.byteLength, "the payload was read into a buffer of its own");
  });

  it("writes a large binary value while hashing it, once: an equal value is not written again", async () => {
    const root = dir();
    const store = new FileStore({ root });
    const data = new Float32Array(200_000).fill(1.5);
    const key = (await store.saveValue(data)) as string;
    const path = join(root, key.slice(0, 2), key);
    const { ino, mtimeMs: written } = statSync(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await store.saveValue(new Float32Array(200_000).fill(1.5)), key);
    assert.equal(statSync(path).ino, ino, "not written again: the same file");
    assert.ok(statSync(path).mtimeMs > written, "only touched, so gc's grace period counts from this reuse (docs/gc.md)");
    assert.deepEqual(readdirSync(root).filter((n) => n.startsWith(".")), [], "no temporary file is left at the root");
    assert.deepEqual(await store.loadValue(key), data);
  });

  it("answers small reads synchronously (no promise on the hot path)", () => {
    const store = new FileStore({ root: dir() });
    const key = store.saveValue({ small: [1, 2, 3] });
    assert.equal(typeof key, "string");
    assert.deepEqual(store.loadValue(key as string), { small: [1, 2, 3] });
    assert.equal(store.loadCall("a".repeat(64)), undefined);
  });

  it("compresses only the payload: the header line names the compression and the decoded length", async () => {
    const magic: Record<string, number[] | undefined> = { gzip: [0x1f, 0x8b], zstd: [0x28, 0xb5, 0x2f, 0xfd] };
    for (const compress of ["gzip", "zstd", "brotli"] as const) {
      const root = dir();
      const store = new FileStore({ root, compress });
      const key = (await store.saveValue("a".repeat(1000))) as string;
      const path = join(root, key.slice(0, 2), key);
      const line = firstLine(path);
      assert.match(line, /^FLECHE 2 [0-9a-f]{8} - \{/);
      const header = JSON.parse(line.slice("FLECHE 2 01234567 - ".length));
      assert.equal(header.z, compress);
      assert.equal(header.u, 1005, "the v8 encoding of the string is 1005 bytes");
      const payload = readFileSync(path).subarray(line.length);
      assert.equal(payload.length, header.n);
      if (magic[compress]) assert.deepEqual([...payload.subarray(0, magic[compress]!.length)], magic[compress]);
      assert.ok(payload.length < 100, `${compress} compressed the payload`);
    }
  });

  it("detects compression from the file: any setting reads files written with any other", async () => {
    const settings = [false, "gzip", "brotli", "zstd"] as const;
    const value = { text: "abc".repeat(500), list: [[1], [2]], bytes: new Uint8Array(3000).fill(7) };
    for (const writer of settings) {
      const root = dir();
      const key = (await new FileStore({ root, compress: writer, serializer: "msgpack" }).saveValue(value)) as string;
      for (const reader of settings) {
        assert.deepEqual(await new FileStore({ root, compress: reader }).loadValue(key), value, `${writer} → ${reader}`);
      }
    }
  });

  it("without the optional zstd-napi, zstd files and writes fail with an error naming the package, and nothing is removed", async () => {
    const root = dir();
    const key = (await new FileStore({ root, compress: "zstd" }).saveValue(["zstd", "data"])) as string;
    const script = await bundleScript("test/stores/file/children/without-zstd.ts", dir());
    const run = spawnSync(process.execPath, [script, root, key], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as { read: string; write: string; gzip: string };
    assert.match(outcome.read, /^ConfigError: .*'zstd-napi'.*npm install zstd-napi/);
    assert.match(outcome.write, /^ConfigError: .*'zstd-napi'/);
    assert.equal(outcome.gzip, "ok");
    assert.ok(existsSync(join(root, key.slice(0, 2), key)), "the zstd file is not treated as corrupt");
  });

  it("lists only entries: temporary and foreign files are ignored", () => {
    const root = dir();
    const store = new FileStore({ root });
    const key = store.saveValue({ a: 1 }) as string;
    const record = sampleRecord(2);
    store.saveCall(record);
    const shard = join(root, key.slice(0, 2));
    writeFileSync(join(shard, `.${key}.deadbeef.tmp`), "partial");
    writeFileSync(join(shard, "notes.txt"), "foreign");
    mkdirSync(join(root, "zz"), { recursive: true });
    writeFileSync(join(root, "zz", key), "foreign");
    assert.deepEqual([...store.listValues()], [key]);
    assert.deepEqual([...store.listCalls()], [record.key]);
    assert.deepEqual([...store.listValues(key.slice(0, 5))], [key]);
    assert.deepEqual([...store.listValues(key.startsWith("0") ? "1111" : "0000")], []);
    assert.deepEqual([...store.listValues("not hex")], []);
  });

  it("removes stale temporary files in the background of a later write into their directory", async () => {
    const root = dir();
    const key = "5a".repeat(32);
    mkdirSync(join(root, "5a"), { recursive: true });
    const stale = join(root, "5a", `.${key}.killed.tmp`);
    const young = join(root, "5a", `.${key}.inflight.tmp`);
    writeFileSync(stale, "partial");
    writeFileSync(young, "partial");
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(stale, past, past);
    new FileStore({ root }).saveValue(["x"], key);
    for (let i = 0; i < 100 && existsSync(stale); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(young), true);
  });

  it("stores shared parts once and counts their reuse", async () => {
    const root = dir();
    const store = new FileStore({ root, minPartSize: 0 }); // small parts split, to show sharing
    const shared = { weights: [0.1, 0.2, 0.3] };
    const a = store.saveValue({ model: "a", shared }) as string;
    const b = store.saveValue({ model: "b", shared: structuredClone(shared) }) as string;
    assert.deepEqual(await store.childDigests(a), [digest(shared)]);
    assert.deepEqual(await store.childDigests(b), [digest(shared)]);
    assert.deepEqual(await store.childDigests(digest(shared)), [digest(shared.weights)]);
    const reuses = await store.countReuses();
    assert.equal(reuses.get(digest(shared)), 2);
    assert.equal(reuses.get(digest(shared.weights)), 1);
    assert.equal([...store.listValues()].length, 4);
  });

  it("writes fewer entries with a larger remainingDepth", () => {
    const value = { a: { b: { c: [1, 2] } }, d: [[1]] };
    const count = (remainingDepth: number) => {
      const store = new FileStore({ root: dir(), remainingDepth, minPartSize: 0 });
      store.saveValue(value);
      return [...store.listValues()].length;
    };
    assert.deepEqual([count(1), count(2), count(Infinity)], [6, 4, 1]);
  });

});

function readdirSyncSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

async function withCache(c: Cache, fn: () => Promise<void>): Promise<void> {
  using _ = cache(c);
  await fn();
}
