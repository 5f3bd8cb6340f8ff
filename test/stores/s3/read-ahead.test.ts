/** The read-ahead of S3 scans: results in key order, a bounded number of loads in flight, failures in place. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { readAhead } from "../../../src/stores/s3/read-ahead.js";

async function* keys(n: number): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) yield String(i);
}

it("yields every result in key order, with at most `width` loads in flight", async () => {
  let inFlight = 0;
  let most = 0;
  const load = async (key: string) => {
    most = Math.max(most, ++inFlight);
    await sleep(Number(key) % 3); // later keys may finish first
    inFlight--;
    return Number(key) * 2;
  };
  const out: number[] = [];
  for await (const value of readAhead(keys(50), load, 4)) out.push(value);
  assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i * 2));
  assert.equal(most, 4);
});

it("throws a failed load where its result would have come, after the results before it", async () => {
  const out: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const value of readAhead(keys(10), async (key) => (key === "5" ? Promise.reject(new Error("load 5 failed")) : Number(key)), 3)) out.push(value);
    })(),
    /load 5 failed/,
  );
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
});
