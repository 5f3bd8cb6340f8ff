/**
 * Garbage collection on an S3 value store (s3rver): by age (`valueWrittenAt`, the objects' LastModified)
 * and by the parts records refer to (`childDigests`, from header lines). S3Store has no touch protocol
 * (docs/stores.md), so this is all a pass has.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { Cache, S3Store, fleche, withCache } from "../../../src/index.js";
import { startS3 } from "../../helpers/s3.js";

const server = await startS3();

it("keeps every value (and part) a record refers to, spares young orphans, removes old ones", async () => {
  const store = new S3Store({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", prefix: "gc", minPartSize: 0 });
  const cache = new Cache({ values: store, calls: store });
  const table = fleche((k: number) => ({ rows: [[k, k + 1], [k + 2, k + 3]], label: "l".repeat(200 + k) }), { name: "table" });
  try {
    await withCache(cache, async () => {
      await table(1);
      await table(2);
    });
    const all = async () => {
      const keys: string[] = [];
      for await (const key of store.listValues()) keys.push(key);
      return keys.sort();
    };
    const before = await all();
    let dropped: string | undefined;
    for (const call of await cache.query({ name: "table" }).toArray()) if ((await call.argument("k")) === 2) dropped = call.key;
    assert.equal("touchValue" in store || "evictValueIfStale" in store, false, "no touch protocol on S3");

    await cache.evict(dropped!);
    const young = await cache.gc(); // default grace (600 s): the orphans were written just now
    assert.deepEqual(young.evicted, []);
    assert.ok(young.spared > 0);
    assert.deepEqual(await all(), before);

    const old = await cache.gc({ grace: 0 });
    assert.ok(old.evicted.length > 0);
    const after = await all();
    assert.deepEqual(after, before.filter((k) => !old.evicted.includes(k)));
    await withCache(cache, async () => {
      let runs = 0;
      const counted = fleche((k: number) => (runs++, { rows: [[k, k + 1], [k + 2, k + 3]], label: "l".repeat(200 + k) }), { name: "table" });
      assert.deepEqual(await counted(1), { rows: [[1, 2], [3, 4]], label: "l".repeat(201) });
      assert.equal(runs, 0, "the call still recorded is served whole, parts included");
      await counted(2);
      assert.equal(runs, 1, "the evicted call runs again");
    });
  } finally {
    await store.close();
  }
});
