/**
 * A 100 MB Float64Array through S3Store and a real s3rver: stored by a multipart upload (its ETag says
 * so), loaded by a streamed download checked chunk by chunk, equal to the original byte for byte; its
 * parts are read from its first 64 KiB, never its body.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { S3Store, digest } from "../../../src/index.js";
import { rawClient, startS3 } from "../../helpers/s3.js";

const server = await startS3();

it("round-trips a 100 MB Float64Array (multipart upload, streamed download)", async () => {
  const store = new S3Store({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", prefix: "large" });
  const client = rawClient(server);
  try {
    const value = new Float64Array((100 * 1024 * 1024) / 8);
    for (let i = 0; i < value.length; i++) value[i] = i * 0.5 - 7;
    const key = await store.saveValue(value);
    assert.equal(key, digest(value));
    await server.settled();
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `large/values/${key}` }));
    const uploads = server.requests.filter((r) => r.startsWith(`PUT /${server.bucket}/large/values/${key}?`) && /partNumber=\d+/.test(r));
    assert.ok(uploads.length >= 6, `stored in parts: ${uploads.length} part uploads`);
    assert.ok(server.requests.some((r) => r.startsWith(`POST /${server.bucket}/large/values/${key}?uploadId=`)), "and the upload completed");
    assert.ok((head.ContentLength ?? 0) > value.byteLength);
    const loaded = await store.loadValue(key);
    assert.ok(loaded instanceof Float64Array);
    assert.equal(loaded.length, value.length);
    assert.equal(Buffer.compare(Buffer.from(loaded.buffer, loaded.byteOffset, loaded.byteLength), Buffer.from(value.buffer)), 0);
    await server.settled();
    const before = server.requests.length;
    assert.deepEqual(await store.childDigests(key), []);
    await server.settled();
    assert.deepEqual(server.requests.slice(before), [`GET /${server.bucket}/large/values/${key}?x-id=GetObject bytes=0-65535`], "childDigests reads the header line only");
    assert.ok((await store.valueWrittenAt(key))! > Date.now() - 600_000);
  } finally {
    client.destroy();
    await store.close();
  }
});
