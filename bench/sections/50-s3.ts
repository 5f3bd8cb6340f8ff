/**
 * Issue 11's S3 numbers, against s3rver on loopback (a child process, as in the tests), in one run:
 * (a) a cache hit of a small non-inline value (a 1 KiB object) with values on S3 and calls in SQLite,
 * against the raw SDK `GetObject` of the same object's bytes; (b) a 100 MB Float64Array stored and
 * loaded through S3Store (digest, envelope, multipart upload; streamed download, check, zero-copy array)
 * against a raw SDK `PutObject` and `GetObject` of the same bytes.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { Cache, S3Store, Sql, cache, fleche } from "../../src/index.js";
import { formatNs, measure, median, printTable, ratio } from "../harness.js";
import { PART_SIZE } from "../../src/stores/s3/objects.js";

const BUCKET = "fleche-bench";
const CHILD = fileURLToPath(new URL("../../test/helpers/s3rver-child.mjs", import.meta.url));

export default async function s3(): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), "fleche-bench-s3-"));
  const proc = spawn(process.execPath, [CHILD, "0", data, BUCKET], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      proc.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
    });
    proc.stdout!.resume(); // its request log is not needed here
    process.env.AWS_ACCESS_KEY_ID ??= "S3RVER";
    process.env.AWS_SECRET_ACCESS_KEY ??= "S3RVER";
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true"; // the raw baseline client's warning
    const endpoint = `http://127.0.0.1:${port}`;
    const raw = new S3Client({ endpoint, forcePathStyle: true, region: "us-east-1", requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
    const store = new S3Store({ bucket: BUCKET, endpoint, forcePathStyle: true, region: "us-east-1", prefix: "bench" });
    try {
      await hit(store, raw, data);
      await large(store, raw);
    } finally {
      raw.destroy();
      await store.close();
    }
  } finally {
    proc.kill("SIGKILL");
    rmSync(data, { recursive: true, force: true });
  }
}

/** The raw SDK read of one object's whole body. */
async function getObject(raw: S3Client, key: string): Promise<Uint8Array> {
  const out = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToByteArray();
}

async function hit(store: S3Store, raw: S3Client, data: string): Promise<void> {
  const calls = new Sql({ url: join(data, "calls.db") });
  cache(new Cache({ values: store, calls }));
  const kib = fleche(function kib(seed: number) {
    return Uint8Array.from({ length: 1024 }, (_, i) => (i * 31 + seed) & 0xff); // binary: never inline
  });
  await kib(1);
  const [valueKey] = await allOf(store.listValues());
  const objectKey = `bench/values/${valueKey}`;
  const size = (await getObject(raw, objectKey)).byteLength;
  const options = { batch: 50, batches: 15, warmup: 100 };
  // Interleaved rounds, so both see the same server state and neighbours.
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < 3; round++) {
    theirs.push((await measure("raw GetObject", () => getObject(raw, objectKey), options)).nsPerOp);
    ours.push((await measure("fleche hit", () => kib(1), options)).nsPerOp);
  }
  await calls.close();
  const f = median(ours);
  const r = median(theirs);
  printTable(`(a) S3 values + SQLite calls: a hit of a 1 KiB value (object of ${size} bytes) vs the raw SDK GetObject (target: ≤ 1.3×)`, [
    { operation: "fleche hit: kib(1)", time: formatNs(f), "fleche / raw": ratio(f, r) },
    { operation: "raw SDK GetObject + body", time: formatNs(r), "fleche / raw": "1.00×" },
  ]);
}

async function large(store: S3Store, raw: S3Client): Promise<void> {
  const n = (100 * 1024 * 1024) / 8;
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) value[i] = i * 0.25;
  const bytes = Buffer.from(value.buffer);
  const runs = 5;
  const storeTimes: number[] = [];
  const loadTimes: number[] = [];
  const putTimes: number[] = [];
  const uploadTimes: number[] = [];
  const getTimes: number[] = [];
  for (let run = 0; run <= runs; run++) {
    value[0] = run + 0.5; // new content: a new key, stored for real
    let start = performance.now();
    await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `raw/${run}`, Body: bytes, ContentLength: bytes.byteLength }));
    const put = performance.now() - start;
    start = performance.now();
    await new Upload({ client: raw, params: { Bucket: BUCKET, Key: `raw-multipart/${run}`, Body: bytes }, partSize: PART_SIZE, queueSize: 4 }).done();
    const upload = performance.now() - start;
    start = performance.now();
    const key = await store.saveValue(value);
    const saved = performance.now() - start;
    start = performance.now();
    const got = await getObject(raw, `raw/${run}`);
    const get = performance.now() - start;
    start = performance.now();
    const loaded = (await store.loadValue(key)) as Float64Array;
    const load = performance.now() - start;
    if (loaded.length !== n || got.byteLength !== bytes.byteLength || loaded[0] !== run + 0.5) throw new Error("100 MB round trip failed");
    await store.evictValue(key);
    if (run === 0) continue; // warm-up
    storeTimes.push(saved);
    loadTimes.push(load);
    putTimes.push(put);
    uploadTimes.push(upload);
    getTimes.push(get);
  }
  const mbps = (ms: number) => `${(100 / (ms / 1000)).toFixed(0)} MB/s`;
  const [s, l, p, u, g] = [median(storeTimes), median(loadTimes), median(putTimes), median(uploadTimes), median(getTimes)];
  printTable(`(b) A 100 MB Float64Array on S3: throughput vs the raw SDK (same bytes, medians of ${runs}; target: ≥ 0.8×)`, [
    { operation: "store: saveValue (digest + multipart upload)", fleche: mbps(s), "raw SDK": `${mbps(p)} (one PutObject)`, "fleche / raw throughput": ratio(p, s) },
    { operation: "store, vs the SDK's own multipart upload", fleche: mbps(s), "raw SDK": `${mbps(u)} (lib-storage Upload, same parts)`, "fleche / raw throughput": ratio(u, s) },
    { operation: "load: loadValue (streamed, checked)", fleche: mbps(l), "raw SDK": `${mbps(g)} (GetObject)`, "fleche / raw throughput": ratio(g, l) },
  ]);
  console.log(`\nTimes: store ${formatNs(s * 1e6)}, PutObject ${formatNs(p * 1e6)}, multipart Upload ${formatNs(u * 1e6)}, load ${formatNs(l * 1e6)}, GetObject ${formatNs(g * 1e6)}.`);
}

async function allOf(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out;
}
