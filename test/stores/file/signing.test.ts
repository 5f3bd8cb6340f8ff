/** Signed files: tampering, truncation and foreign keys are misses with a warning, never wrong values. */
import { describe, it, afterEach } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync, existsSync } from "node:fs";
import { inspect } from "node:util";
import { join } from "node:path";
import { Cache, CacheMiss, ConfigError, FileStore, cache, fleche } from "../../../src/index.js";
import { tempDirs } from "../../helpers/temp.js";
import { crc32 } from "../../../src/fs/crc32.js";
import { captureLogs } from "../../helpers/logs.js";

const dir = tempDirs("file-signing");
const K1 = "11".repeat(32);
const K2 = "22".repeat(32);
const K3 = "33".repeat(16);

const valuePath = (root: string, key: string) => join(root, key.slice(0, 2), key);
const callPath = (root: string, key: string) => join(root, key.slice(0, 2), `${key}.json`);

function flipByte(path: string, fromEnd = 1): void {
  const bytes = readFileSync(path);
  bytes[bytes.length - fromEnd]! ^= 0xff;
  writeFileSync(path, bytes);
}

describe("FileStore signing", () => {
  afterEach(() => {
    delete process.env.FLECHE_SECRET_KEY;
  });

  it("signs every value file and record", () => {
    const root = dir();
    const store = new FileStore({ root, secretKey: K1 });
    const key = store.saveValue([1, 2]) as string;
    assert.match(readFileSync(valuePath(root, key), "latin1"), /^FLECHE 2 [0-9a-f]{8} hmac-sha256:[0-9a-f]{64} \{/);
    const record = { key: "ab".repeat(32), name: "f", module: null, version: null, codeDigest: null, arguments: {}, result: null, metadata: {} };
    store.saveCall(record);
    const text = readFileSync(callPath(root, record.key), "utf8");
    assert.deepEqual(JSON.parse(text).record, record, "a signed record file is still JSON");
    assert.match(text, /^\{"crc32":"[0-9a-f]{8}","hmac-sha256":"[0-9a-f]{64}","written":\d{13},"record":/);
  });

  for (const [label, damage] of [
    ["a flipped payload byte", (path: string) => flipByte(path)],
    ["a flipped header byte", (path: string) => flipByte(path, readFileSync(path).length - 90)],
    ["truncation", (path: string) => truncateSync(path, readFileSync(path).length - 3)],
    ["bytes appended", (path: string) => writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from("evil")]))],
  ] as const) {
    it(`turns ${label} into a miss with a warning; the wrapper recomputes and overwrites`, async () => {
      const root = dir();
      const store = new FileStore({ root, secretKey: K1 });
      const c = new Cache({ values: store, calls: store });
      let runs = 0;
      const f = fleche(function series(n: number) {
        runs++;
        return Array.from({ length: n }, (_, i) => i * i);
      });
      using _ = cache(c);
      await f(50);
      const [key] = await c.callKeys();
      const resultKey = store.loadCall(key!)!.result!;
      damage(valuePath(root, resultKey));
      const logs = captureLogs();
      try {
        assert.deepEqual(await f(50), Array.from({ length: 50 }, (_, i) => i * i));
      } finally {
        logs.restore();
      }
      assert.equal(runs, 2, "the body ran again");
      assert.equal(logs.warn.length, 1);
      assert.ok(logs.warn[0]!.includes(valuePath(root, resultKey)), "the warning names the file");
      assert.doesNotMatch(logs.warn[0]!, new RegExp(K1));
      assert.deepEqual(store.loadValue(resultKey), Array.from({ length: 50 }, (_, i) => i * i), "overwritten with a good file");
      await f(50);
      assert.equal(runs, 2);
    });
  }

  it("checks the signature of a large value while reading it in chunks", async () => {
    const root = dir();
    const store = new FileStore({ root, secretKey: K1 });
    const data = Float64Array.from({ length: 500_000 }, (_, i) => i * 0.25);
    const key = (await store.saveValue(data)) as string;
    assert.deepEqual(await store.loadValue(key), data);
    flipByte(valuePath(root, key), 1_000_000);
    const logs = captureLogs();
    try {
      await assert.rejects(async () => store.loadValue(key), CacheMiss);
    } finally {
      logs.restore();
    }
    assert.match(logs.warn.join("\n"), /signature check/);
  });

  it("turns a tampered record into a miss with a warning, even with its check value recomputed", async () => {
    const root = dir();
    const store = new FileStore({ root, secretKey: K1 });
    const c = new Cache({ values: store, calls: store });
    let runs = 0;
    const f = fleche(function twice(x: number) {
      runs++;
      return 2 * x;
    });
    using _ = cache(c);
    await f(21);
    const [key] = await c.callKeys();
    const path = callPath(root, key!);
    const tampered = Buffer.from(readFileSync(path, "utf8").replace('"name":"twice"', '"name":"thrice"'));
    // Whoever can write the file can recompute its CRC-32; only the signature stops them.
    writeFileSync(path, Buffer.concat([tampered.subarray(0, 10), Buffer.from(crc32(tampered.subarray(18)).toString(16).padStart(8, "0")), tampered.subarray(18)]));
    const logs = captureLogs();
    try {
      assert.equal(store.loadCall(key!), undefined);
      assert.equal(await f(21), 42);
    } finally {
      logs.restore();
    }
    assert.equal(runs, 2);
    assert.match(logs.warn.join("\n"), /signature check/);
    assert.equal(store.loadCall(key!)!.name, "twice");
  });

  it("refuses an older signed record copied back over a newer one, when this store object saw the newer one", async () => {
    const root = dir();
    const store = new FileStore({ root, secretKey: K1 });
    const c = new Cache({ values: store, calls: store });
    let version = 1;
    const f = fleche(function current(x: number) {
      return `${x} computed by version ${version}`;
    });
    using _ = cache(c);
    await f(1);
    const key = await f.digest(1);
    const old = readFileSync(callPath(root, key));
    version = 2;
    await f.rerun(1);
    assert.equal(await f(1), "1 computed by version 2");
    writeFileSync(callPath(root, key), old); // the replay: a genuine, older, signed record
    const logs = captureLogs();
    try {
      assert.equal(store.loadCall(key), undefined);
    } finally {
      logs.restore();
    }
    assert.match(logs.warn.join("\n"), /older signed record .* a replay/);
    assert.equal(existsSync(callPath(root, key)), false, "the replayed record is removed");

    // The documented limit: a store object that never saw the newer record cannot tell.
    writeFileSync(callPath(root, key), old);
    const fresh = new FileStore({ root, secretKey: K1 });
    assert.match(JSON.stringify(fresh.loadCall(key)), /version 1/);
  });

  it("refuses unsigned files and files signed with another key; an unsigned store reads signed files", () => {
    const root = dir();
    const unsigned = new FileStore({ root, secretKey: [] });
    const plainKey = unsigned.saveValue({ plain: [1] }) as string;
    const k1Key = new FileStore({ root, secretKey: K1 }).saveValue({ k1: [1] }) as string;
    const logs = captureLogs();
    try {
      const k2 = new FileStore({ root, secretKey: K2 });
      assert.throws(() => k2.loadValue(plainKey), CacheMiss);
      assert.throws(() => k2.loadValue(k1Key), CacheMiss);
    } finally {
      logs.restore();
    }
    assert.match(logs.warn.join("\n"), /not signed/);
    assert.match(logs.warn.join("\n"), /signed with another key/);
    const again = new FileStore({ root, secretKey: K1 }).saveValue({ k1: [1] }) as string;
    assert.deepEqual(new FileStore({ root, secretKey: [] }).loadValue(again), { k1: [1] });
  });

  it("binds a signature to its key: a signed file copied under another key is refused", () => {
    const root = dir();
    const store = new FileStore({ root, secretKey: K1 });
    const a = store.saveValue(["a"]) as string;
    const b = "b".repeat(64);
    mkdirSync(join(root, "bb"), { recursive: true });
    copyFileSync(valuePath(root, a), valuePath(root, b));
    const logs = captureLogs();
    try {
      assert.throws(() => store.loadValue(b), CacheMiss);
    } finally {
      logs.restore();
    }
    assert.equal(existsSync(valuePath(root, b)), false, "the impostor was removed");
  });

  it("rotates keys: the first key signs, every key verifies", () => {
    const root = dir();
    const old = new FileStore({ root, secretKey: K1 });
    const oldKey = old.saveValue({ old: [1] }) as string;
    const rotated = new FileStore({ root, secretKey: [K2, K1] });
    assert.deepEqual(rotated.loadValue(oldKey), { old: [1] });
    const newKey = rotated.saveValue({ new: [2] }) as string;
    assert.deepEqual(new FileStore({ root, secretKey: K2 }).loadValue(newKey), { new: [2] });
    const logs = captureLogs();
    try {
      assert.throws(() => new FileStore({ root, secretKey: K1 }).loadValue(newKey), CacheMiss);
    } finally {
      logs.restore();
    }
  });

  it("takes keys from FLECHE_SECRET_KEY (colon-separated hex) unless given; [] turns signing off", () => {
    const root = dir();
    process.env.FLECHE_SECRET_KEY = `${K3}:${K1}`;
    const fromEnv = new FileStore({ root });
    assert.equal(fromEnv.signed, true);
    const key = fromEnv.saveValue({ env: [1] }) as string;
    assert.deepEqual(new FileStore({ root, secretKey: K3 }).loadValue(key), { env: [1] }, "the first key signed");
    assert.deepEqual(new FileStore({ root, secretKey: [Buffer.from(K1, "hex"), K3] }).loadValue(key), { env: [1] });
    assert.equal(new FileStore({ root, secretKey: [] }).signed, false);
  });

  it("never shows keys: not in toConfig, inspect, JSON or error messages", () => {
    const store = new FileStore({ root: dir(), secretKey: [K1, K2] });
    const shown = [JSON.stringify(store.toConfig()), inspect(store), JSON.stringify(store), String(store)].join("\n");
    for (const key of [K1, K2]) assert.doesNotMatch(shown, new RegExp(key));
    assert.deepEqual(store.toConfig(), { type: "file", root: store.root, serializer: "v8", signed: true });
    assert.match(inspect(store), /2 keys \(redacted\)/);
    const secret = "abcd".repeat(8);
    for (const bad of [`${secret}:xyz`, [secret, 5], 42]) {
      assert.throws(
        () => new FileStore({ root: dir(), secretKey: bad as never }),
        (e: unknown) => e instanceof ConfigError && !e.message.includes(secret) && /secretKey/.test(e.message),
      );
    }
  });
});
