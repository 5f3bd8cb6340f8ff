/**
 * S3Store.verify against a real s3rver: by default from header lines and object lengths only (ranged
 * reads, no value body downloaded), so truncation and missing parts are found; with `deep`, a changed
 * payload byte too. `repair` removes what is unusable.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
import { S3Store } from "../../../src/index.js";
import { sampleRecord as sampleRecordForTests } from "../../../src/testing/call-store.js";
import { rawClient, startS3 } from "../../helpers/s3.js";

const server = await startS3();

it("finds truncated objects, missing parts and damaged records without downloading values; deep finds changed bytes; repair removes them", async () => {
  const store = new S3Store({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", prefix: "verify", minPartSize: 0 });
  const client = rawClient(server);
  const objectKey = (key: string) => `verify/values/${key}`;
  const get = async (key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }))).Body!.transformToByteArray());
  const put = (key: string, body: Uint8Array) => client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
  try {
    const intact = await store.saveValue({ fine: "f".repeat(400) });
    const truncated = await store.saveValue({ cut: "c".repeat(400) });
    const changed = await store.saveValue({ flipped: "x".repeat(400) });
    const split = await store.saveValue({ outer: [[1, 2], [3, 4]] });
    const [part] = await store.childDigests(split);
    await store.saveCall(sampleRecordForTests(1));
    await store.saveCall(sampleRecordForTests(2));

    const cut = await get(objectKey(truncated));
    await put(objectKey(truncated), cut.subarray(0, cut.length - 5));
    const flip = await get(objectKey(changed));
    flip[flip.length - 4] = flip[flip.length - 4]! ^ 0x01;
    await put(objectKey(changed), flip);
    await client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: objectKey(part!) }));
    const recordKey = `verify/calls/${sampleRecordForTests(2).key}.json`;
    await put(recordKey, Buffer.from((await get(recordKey)).toString("utf8").replace('"even"', '"evil"')));

    await server.settled();
    const before = server.requests.length;
    const shallow = await store.verify();
    await server.settled();
    const gets = server.requests.slice(before).filter((r) => r.startsWith("GET ") && r.includes("/verify/values/"));
    assert.ok(gets.length > 0 && gets.every((r) => r.endsWith(" bytes=0-65535")), `value reads are ranged: ${gets.join("\n")}`);
    const found = (report: { problems: readonly { key: string; problem: string }[] }) => report.problems.map((p) => p.key).sort();
    assert.deepEqual(found(shallow), [truncated, split, sampleRecordForTests(2).key].sort(), JSON.stringify(shallow.problems));
    assert.match(shallow.problems.find((p) => p.key === split)!.problem, /its part [0-9a-f]{64} is missing/);
    assert.equal(shallow.removed, 0);

    const deep = await store.verify({ deep: true });
    assert.deepEqual(found(deep), [truncated, changed, split, sampleRecordForTests(2).key].sort(), JSON.stringify(deep.problems));

    const repaired = await store.verify({ deep: true, repair: true });
    assert.equal(repaired.removed, 4);
    const after = await store.verify({ deep: true });
    assert.deepEqual(after.problems, []);
    assert.deepEqual(await store.loadValue(intact), { fine: "f".repeat(400) });
    assert.equal(await store.containsValue(truncated), false);
  } finally {
    client.destroy();
    await store.close();
  }
});
