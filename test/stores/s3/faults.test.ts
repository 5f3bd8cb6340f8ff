/**
 * S3Store when things go wrong, against a real s3rver: the server killed mid-run and started again, an
 * object truncated or tampered with behind the store's back, refused credentials, a missing bucket.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { once } from "node:events";
import { connect, createServer, type AddressInfo } from "node:net";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Cache, CacheMiss, ConfigError, S3Store, StoreUnavailable, digest, fleche, withCache, type S3StoreOptions } from "../../../src/index.js";
import { allKeys } from "../../../src/stores/keys.js";
import { rawClient, startS3 } from "../../helpers/s3.js";
import { captureLogs } from "../../helpers/logs.js";

const server = await startS3();
let n = 0;
const options = (over: Partial<S3StoreOptions> = {}): S3StoreOptions => ({
  bucket: server.bucket,
  endpoint: server.endpoint,
  forcePathStyle: true,
  region: "us-east-1",
  prefix: `faults/${n++}`,
  ...over,
});
const raw = () => rawClient(server);

async function getBytes(client: S3Client, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function putBytes(client: S3Client, key: string, bytes: Uint8Array): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: bytes }));
}

describe("the S3 server stopped while a process uses the cache", () => {
  it("degrades to uncached runs with one warning, and resumes caching when the server is back", async () => {
    const store = new S3Store(options());
    const cache = new Cache({ values: store, calls: store });
    let runs = 0;
    const big = fleche((x: number) => (runs++, { x, pad: "p".repeat(2000) }), { name: "big" });
    const logs = captureLogs();
    try {
      await withCache(cache, async () => {
        assert.equal((await big(2)).x, 2);
        assert.equal((await big(2)).x, 2);
        assert.equal(runs, 1);

        await server.stop();
        for (let i = 0; i < 20; i++) assert.equal((await big(3)).x, 3);
        assert.equal((await big(2)).x, 2);
        assert.equal(runs, 22, "every call ran while the server was away");
        await assert.rejects(store.loadValue(digest("x")), StoreUnavailable);

        await server.start();
        let resumed = false;
        for (let attempt = 0; attempt < 100 && !resumed; attempt++) {
          const before = runs;
          assert.equal((await big(5)).x, 5);
          assert.equal((await big(5)).x, 5);
          resumed = runs === before + 1; // the second call was served from the cache
          if (!resumed) await sleep(200);
        }
        assert.ok(resumed, "caching resumed after the restart");
        const before = runs;
        assert.equal((await big(2)).x, 2, "what was stored before the outage is still there");
        assert.equal(runs, before);
      });
    } finally {
      logs.restore();
      await store.close();
    }
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
    assert.match(logs.warn[0]!, /S3Store s3:\/\/fleche-test\/faults\/\d+\/ at http:\/\/127\.0\.0\.1:\d+: cannot reach the server .*calls run uncached until it is back/);
    assert.ok(logs.info.some((line) => /reachable again; caching resumes/.test(line)), logs.info.join("\n"));
  });
});

describe("a download cut off in transit", () => {
  it("is an outage (StoreUnavailable), never a damaged object: the object stays and loads once the path is whole", async () => {
    // A proxy between the store and the server that closes the connection after 1 MiB of a response.
    const upstream = new URL(server.endpoint);
    const proxy = createServer((client) => {
      const remote = connect(Number(upstream.port), upstream.hostname);
      let sent = 0;
      client.pipe(remote);
      remote.on("data", (chunk: Buffer) => {
        sent += chunk.length;
        client.write(chunk);
        if (sent > 1024 * 1024) {
          client.destroy();
          remote.destroy();
        }
      });
      const close = () => (client.destroy(), remote.destroy());
      client.on("error", close);
      remote.on("error", close);
      client.on("close", close);
    });
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    const settings = options();
    const direct = new S3Store(settings);
    const cut = new S3Store({ ...settings, endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const logs = captureLogs();
    try {
      const value = Float64Array.from({ length: 2_000_000 }, (_, i) => i); // 16 MB
      const key = await direct.saveValue(value);
      await assert.rejects(cut.loadValue(key), (e: unknown) => e instanceof StoreUnavailable && /connection was cut|ECONNRESET|aborted|socket/i.test(e.message));
      assert.equal(await direct.containsValue(key), true, "the object was not taken for damaged");
      assert.deepEqual(await direct.loadValue(key), value);
    } finally {
      logs.restore();
      proxy.close();
      await cut.close();
      await direct.close();
    }
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
    assert.match(logs.warn[0]!, /cannot reach the server/);
  });
});

describe("an object damaged behind the store's back", () => {
  for (const [label, damage] of [
    ["truncated", (bytes: Buffer) => bytes.subarray(0, bytes.length - 7)],
    ["tampered with (one payload byte changed)", (bytes: Buffer) => Buffer.from(bytes.map((b, i) => (i === bytes.length - 3 ? b ^ 0x20 : b)))],
    ["cut inside its header line", (bytes: Buffer) => bytes.subarray(0, 12)],
  ] as const) {
    it(`a value ${label}: a miss with a warning, recomputed and overwritten`, async () => {
      const settings = options();
      const store = new S3Store(settings);
      const cache = new Cache({ values: store, calls: store });
      let runs = 0;
      const f = fleche((x: number) => (runs++, { x, text: "t".repeat(3000) }), { name: "f" });
      const client = raw();
      const logs = captureLogs();
      try {
        await withCache(cache, async () => {
          const first = await f(1);
          const objectKey = `${settings.prefix}/values/${digest(first)}`;
          const good = await getBytes(client, objectKey);
          await putBytes(client, objectKey, damage(good));
          assert.deepEqual(await f(1), first, "the damaged value is recomputed");
          assert.equal(runs, 2);
          assert.deepEqual(await getBytes(client, objectKey), good, "and stored again, as it was");
          assert.deepEqual(await f(1), first);
          assert.equal(runs, 2, "served from the cache again");
        });
      } finally {
        logs.restore();
        client.destroy();
        await store.close();
      }
      assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
      assert.match(logs.warn[0]!, /Ignoring s3:\/\/fleche-test\/faults\/\d+\/values\/[0-9a-f]{64} .*; it is removed and will be recomputed/);
    });
  }

  it("a signed value whose signature no longer matches is a miss too", async () => {
    const settings = options({ secretKey: "ab".repeat(32) });
    const store = new S3Store(settings);
    const client = raw();
    const logs = captureLogs();
    try {
      const key = await store.saveValue({ signed: "s".repeat(500) });
      const objectKey = `${settings.prefix}/values/${key}`;
      const bytes = await getBytes(client, objectKey);
      bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
      await putBytes(client, objectKey, bytes);
      await assert.rejects(store.loadValue(key), (e: unknown) => e instanceof CacheMiss && /signature check/.test(e.message));
      assert.equal(await store.containsValue(key), false, "removed");
    } finally {
      logs.restore();
      client.destroy();
      await store.close();
    }
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
  });

  it("a damaged call record: a miss with a warning, and the call is recomputed and filed again", async () => {
    const settings = options();
    const store = new S3Store(settings);
    const cache = new Cache({ values: store, calls: store });
    let runs = 0;
    const g = fleche((x: number) => (runs++, x * 2), { name: "g" });
    const client = raw();
    const logs = captureLogs();
    try {
      await withCache(cache, async () => {
        assert.equal(await g(21), 42);
        const [key] = await allKeys((p) => store.listCalls(p));
        const objectKey = `${settings.prefix}/calls/${key}.json`;
        const good = await getBytes(client, objectKey);
        await putBytes(client, objectKey, Buffer.from(good.toString("utf8").replace("42", "43")));
        assert.equal(await g(21), 42);
        assert.equal(runs, 2);
        assert.ok((await getBytes(client, objectKey)).toString("utf8").includes('"g"'), "filed again");
        assert.equal(await g(21), 42);
        assert.equal(runs, 2);
      });
    } finally {
      logs.restore();
      client.destroy();
      await store.close();
    }
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
    assert.match(logs.warn[0]!, /calls\/[0-9a-f]{64}\.json .*checksum/);
  });
});

describe("configuration problems", () => {
  it("refused credentials: a ConfigError naming the bucket and the endpoint, without the secret", async () => {
    const secret = "TopSecret-do-not-print-4242";
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "NOT-A-KNOWN-KEY";
    process.env.AWS_SECRET_ACCESS_KEY = secret;
    const store = new S3Store(options());
    const logs = captureLogs();
    try {
      for (const attempt of [() => store.loadValue(digest(1)), () => store.saveValue(1), () => store.loadCall(digest(2))]) {
        await assert.rejects(attempt(), (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.match(e.message, /bucket|s3:\/\/fleche-test\//);
          assert.ok(e.message.includes("s3://fleche-test/"), e.message);
          assert.ok(e.message.includes(server.endpoint), e.message);
          assert.match(e.message, /credentials were refused \((InvalidAccessKeyId|HTTP 403)\)/);
          assert.ok(!e.message.includes(secret) && !String(e.stack).includes(secret) && e.cause === undefined);
          return true;
        });
      }
      // Through a cached function: the call runs uncached and the warning carries no secret either.
      let runs = 0;
      const h = fleche((x: number) => (runs++, x), { name: "h" });
      await withCache(new Cache({ values: store, calls: store }), async () => assert.equal(await h(1), 1));
      assert.equal(runs, 1);
    } finally {
      logs.restore();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      await store.close();
    }
    assert.ok(logs.warn.length >= 1);
    for (const line of [...logs.warn, ...logs.info, ...logs.debug, ...logs.error]) assert.ok(!line.includes(secret), line);
    assert.ok(!JSON.stringify(store.toConfig()).includes(secret));
  });

  it("a missing bucket: a ConfigError naming it and the endpoint", async () => {
    const store = new S3Store(options({ bucket: "no-such-bucket" }));
    try {
      await assert.rejects(store.saveValue({ a: 1 }), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /the bucket 'no-such-bucket' does not exist/);
        assert.ok(e.message.includes(server.endpoint), e.message);
        return true;
      });
      await assert.rejects(allKeys((p) => store.listValues(p)), /the bucket 'no-such-bucket' does not exist/);
    } finally {
      await store.close();
    }
  });
});
