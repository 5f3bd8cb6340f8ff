/**
 * Transfers between a FileStore and an S3Store copy values as their stored bytes (entries and parts),
 * both ways, and fall back to decoding and re-saving when the target refuses the bytes (signed with a
 * key it does not hold). A compressed source and an uncompressed target tell the two paths apart: bytes
 * copied as they are stay compressed, a re-save would not be.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cache, FileStore, S3Store, fleche, withCache, type CallRecord } from "../../../src/index.js";
import { allKeys } from "../../../src/stores/keys.js";
import { tempDirs } from "../../helpers/temp.js";
import { startS3 } from "../../helpers/s3.js";

const server = await startS3();
const dir = tempDirs("s3-transfer");
let n = 0;
const s3 = (over: Partial<ConstructorParameters<typeof S3Store>[0]> = {}) =>
  new S3Store({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", prefix: `transfer/${n++}`, minPartSize: 0, ...over });

/** Fill `cache` with three calls: a split result, a large array, a small value; return their records. */
async function fill(cache: Cache): Promise<CallRecord[]> {
  const split = fleche((k: number) => ({ rows: [[k, k + 1], [k + 2, k + 3]], label: `table ${k}` }), { name: "split" });
  const array = fleche((size: number) => Float64Array.from({ length: size }, (_, i) => i / 3), { name: "array" });
  const text = fleche((s: string) => `${s}!`.repeat(50), { name: "text" });
  await withCache(cache, async () => {
    await split(1);
    await array(300_000);
    await text("hello");
  });
  const records: CallRecord[] = [];
  for (const key of await allKeys((p) => cache.calls.listCalls(p))) records.push((await cache.calls.loadCall(key))!);
  return records;
}

/** Every value entry of `store` (with parts) reachable from the records, as bytes. */
async function entryBytes(store: FileStore | S3Store, records: readonly CallRecord[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const queue = records.flatMap((r) => [r.result, ...Object.values(r.arguments)]).filter((k): k is string => k !== null && !isInline(records, k));
  while (queue.length) {
    const key = queue.pop()!;
    if (out.has(key)) continue;
    out.set(key, Buffer.from(await store.rawEntries.read(key)));
    queue.push(...(await store.childDigests(key)));
  }
  return out;
}

function isInline(records: readonly CallRecord[], key: string): boolean {
  return records.some((r) => r.inline?.some(([k]) => k === key));
}

it("FileStore → S3Store copies every entry as its bytes, and the target serves the calls", async () => {
  const source = new Cache({ values: new FileStore({ root: dir(), compress: "gzip", minPartSize: 0 }), calls: new FileStore({ root: dir() }) });
  const target = s3({ compress: false });
  const targetCache = new Cache({ values: target, calls: target });
  try {
    const records = await fill(source);
    const report = await source.transfer(targetCache);
    assert.equal(report.transferred.length, 3);
    const want = await entryBytes(source.values as FileStore, records);
    const got = await entryBytes(target, records);
    assert.ok(want.size >= 5, `split values have parts: ${want.size} entries`);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [key, bytes] of want) assert.equal(Buffer.compare(got.get(key)!, bytes), 0, `entry ${key} copied as its bytes`);
    for (const record of records) {
      assert.deepEqual(await target.loadCall(record.key), record);
      assert.deepEqual(await targetCache.lookup(record.key), await source.lookup(record.key));
    }
    // A file on disk and the object are the same bytes (the envelope is the store-independent format).
    const [someKey] = want.keys();
    const root = (source.values as FileStore).root;
    assert.equal(Buffer.compare(readFileSync(join(root, someKey!.slice(0, 2), someKey!)), got.get(someKey!)!), 0);
  } finally {
    await target.close();
  }
});

it("S3Store → FileStore copies every entry as its bytes", async () => {
  const source = s3({ compress: "gzip" });
  const sourceCache = new Cache({ values: source, calls: source });
  const files = new FileStore({ root: dir() });
  const target = new Cache({ values: files, calls: files });
  try {
    const records = await fill(sourceCache);
    const report = await sourceCache.transfer(target);
    assert.equal(report.transferred.length, 3);
    const want = await entryBytes(source, records);
    const got = await entryBytes(files, records);
    for (const [key, bytes] of want) assert.equal(Buffer.compare(got.get(key)!, bytes), 0, `entry ${key} copied as its bytes`);
    for (const record of records) assert.deepEqual(await target.lookup(record.key), await sourceCache.lookup(record.key));
  } finally {
    await source.close();
  }
});

it("falls back to decoding and re-saving when the target refuses the bytes (another signing key)", async () => {
  const source = new Cache({ values: new FileStore({ root: dir(), secretKey: "aa".repeat(32), compress: "gzip" }), calls: new FileStore({ root: dir() }) });
  const target = s3({ secretKey: "bb".repeat(32) });
  const targetCache = new Cache({ values: target, calls: target });
  try {
    const records = await fill(source);
    const report = await source.transfer(targetCache);
    assert.equal(report.transferred.length, 3);
    const want = await entryBytes(source.values as FileStore, records);
    const got = await entryBytes(target, records);
    for (const [key, bytes] of got) {
      assert.notEqual(Buffer.compare(bytes, want.get(key) ?? Buffer.alloc(0)), 0, `entry ${key} was re-saved (signed with the target's key)`);
    }
    for (const record of records) assert.deepEqual(await targetCache.lookup(record.key), await source.lookup(record.key));
  } finally {
    await target.close();
  }
});
