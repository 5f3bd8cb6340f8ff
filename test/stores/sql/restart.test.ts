import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Cache, Memory, Sql, StoreUnavailable, fleche, withCache } from "../../../src/index.js";
import { startCluster, type Cluster } from "../../helpers/postgres.js";
import { captureLogs } from "../../helpers/logs.js";

// A server of its own: this test stops and starts it, which the shared one must never see.
let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster.destroy());

describe("PostgreSQL restarted while a process uses the cache", () => {
  it("keeps returning correct results (uncached, one warning) and resumes caching when the server is back", async () => {
    const store = new Sql({ url: cluster.url });
    const c = new Cache({ values: new Memory(), calls: store });
    let runs = 0;
    const sq = fleche((x: number) => (runs++, { square: x * x }), { name: "sq" });
    const logs = captureLogs();
    try {
      await withCache(c, async () => {
        assert.deepEqual(await sq(2), { square: 4 });
        assert.deepEqual(await sq(2), { square: 4 });
        assert.equal(runs, 1);

        cluster.stop(); // open pooled connections are cut: their errors must not crash this process
        for (let i = 0; i < 25; i++) assert.deepEqual(await sq(3), { square: 9 });
        assert.deepEqual(await sq(2), { square: 4 });
        assert.equal(runs, 27, "every call ran while the server was away");
        await assert.rejects(store.ready(), StoreUnavailable);

        cluster.start();
        let resumed = false;
        for (let attempt = 0; attempt < 150 && !resumed; attempt++) {
          const before = runs;
          assert.deepEqual(await sq(5), { square: 25 });
          assert.deepEqual(await sq(5), { square: 25 });
          resumed = runs === before + 1; // the second call was served from the cache
          if (!resumed) await sleep(200);
        }
        assert.ok(resumed, "caching resumed after the restart");
        const before = runs;
        assert.deepEqual(await sq(2), { square: 4 }, "records from before the outage are still there");
        assert.equal(runs, before);
      });
    } finally {
      logs.restore();
      await store.close();
    }
    assert.equal(logs.warn.length, 1, logs.warn.join("\n"));
    assert.match(logs.warn[0]!, /cannot reach the server .*calls run uncached until it is back/);
    assert.ok(logs.info.some((line) => /reachable again; caching resumes/.test(line)), logs.info.join("\n"));
  });
});
