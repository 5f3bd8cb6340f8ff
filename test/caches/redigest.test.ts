import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { Cache, CacheMiss, CacheStack, ConfigError, SizeLimited, digest, digestSymbol } from "../../src/index.js";
import { redigest } from "../../src/caches/operations.js";
import { Call } from "../../src/call.js";
import { JsonDirStore } from "../fixtures/json-dir-store.js";
import { captureLogs } from "../helpers/logs.js";
import { tempDir } from "../helpers/project.js";
import { fresh, identity, keysOf, sleep } from "./helpers.js";

/** How Points digest: switching it is "a digest change" that stales every key with a Point argument. */
let scheme = 1;
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  [digestSymbol]() {
    return scheme === 1 ? ["Point", this.x, this.y] : ["Point/v2", { x: this.x, y: this.y }];
  }
}

const pointCall = (x: number) => Call.of(identity, { p: new Point(x, x + 1) });
afterEach(() => (scheme = 1));

describe("redigest", () => {
  it("re-files records under their new keys; old keys go, values stay", async () => {
    const c = fresh();
    const oldKey = await c.save(pointCall(1), "one");
    const oldValue = digest(new Point(1, 2));
    scheme = 2;
    const newKey = pointCall(1).key;
    assert.notEqual(newKey, oldKey);
    const report = await c.redigest();
    assert.deepEqual(report.rekeyed, [{ from: oldKey, to: newKey }]);
    assert.equal(await c.contains(oldKey), false);
    const moved = await c.load(newKey);
    assert.equal(await moved.result(), "one");
    const p = (await moved.argument("p")) as Point;
    assert.ok(p instanceof Point && p.x === 1);
    const values = await c.valueKeys();
    assert.ok(values.includes(oldValue), "the old value entry is left for gc");
    assert.ok(values.includes(digest(new Point(1, 2))));
  });

  it("is a no-op when nothing changed, and a second run does nothing", async () => {
    const c = fresh();
    await c.save(pointCall(1), "one");
    assert.deepEqual(await c.redigest(), { rekeyed: [], unchanged: 1, skipped: [], evicted: [] });
    scheme = 2;
    await c.save(pointCall(5), "five"); // already under a v2 key
    const first = await c.redigest();
    assert.equal(first.rekeyed.length, 1);
    assert.equal(first.unchanged, 1);
    assert.deepEqual((await c.redigest()).rekeyed, []);
  });

  it("does not rewrite unchanged records on disk", async () => {
    const root = tempDir();
    const c = new Cache({ values: new JsonDirStore(join(root, "v")), calls: new JsonDirStore(join(root, "c")) });
    const key = await c.save(Call.of(identity, { list: [1, 2] }), "one");
    const record = (await c.loadRecord(key))!;
    const stale = "0".repeat(64); // filed under a key an older digest produced
    c.calls.saveCall({ ...record, key: stale });
    c.calls.evictCall(key);
    assert.deepEqual((await c.redigest()).rekeyed, [{ from: stale, to: key }]);
    const file = join(root, "c", `${key}.json`);
    const before = statSync(file).mtimeMs;
    await sleep(20);
    await c.redigest();
    assert.equal(statSync(file).mtimeMs, before);
  });

  it("raises at the first broken record by default, keeping what it migrated; a later run converges", async () => {
    const c = fresh();
    const good = await c.save(pointCall(1), [1]);
    const broken = await c.save(pointCall(2), [2]);
    const brokenResult = (await c.loadRecord(broken))!.result!;
    const stash = await c.loadValue(brokenResult);
    c.values.evictValue(brokenResult);
    scheme = 2;
    await assert.rejects(c.redigest(), CacheMiss);
    assert.ok(await c.contains(pointCall(1).key), "records before the broken one (memory lists in saving order) are migrated");
    assert.equal(await c.contains(good), false);
    c.values.saveValue(stash, brokenResult); // repaired
    await c.redigest();
    assert.deepEqual((await keysOf(c)).sort(), [pointCall(1).key, pointCall(2).key].sort());
  });

  it("skips or evicts broken records on request, with a warning", async () => {
    for (const onerror of ["skip", "evict"] as const) {
      const c = fresh();
      const broken = await c.save(pointCall(2), [2]);
      c.values.evictValue((await c.loadRecord(broken))!.result!);
      await c.save(pointCall(3), [3]);
      scheme = 2;
      const logs = captureLogs();
      try {
        const report = await c.redigest({ onerror });
        assert.equal(report.rekeyed.length, 1);
        assert.deepEqual(onerror === "skip" ? report.skipped : report.evicted, [broken]);
        assert.equal(await c.contains(broken), onerror === "skip");
        assert.ok(logs.warn.some((w) => w.includes(onerror === "skip" ? "skipping" : "evicting") && w.includes(broken)));
      } finally {
        logs.restore();
        scheme = 1;
      }
    }
    await assert.rejects(fresh().redigest({ onerror: "ignore" as never }), ConfigError);
  });

  it("re-keys every writable layer of a stack, and a size-limited cache counts again", async () => {
    const [a, b] = [fresh(), fresh()];
    await a.save(pointCall(1), "a");
    await b.save(pointCall(2), "b");
    scheme = 2;
    const report = await redigest(new CacheStack([a, b]));
    assert.equal(report.rekeyed.length, 2);
    assert.ok(await b.contains(pointCall(2).key));
    scheme = 1;
    const base = fresh();
    await base.save(pointCall(7), "x");
    const limited = new SizeLimited(base, { maxSize: 5 });
    await limited.save(pointCall(8), "y");
    scheme = 2;
    await limited.redigest();
    await limited.save(pointCall(9), "z");
    assert.equal(limited.size, 3);
    assert.equal((await keysOf(base)).length, 3);
  });
});
