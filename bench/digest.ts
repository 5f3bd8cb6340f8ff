/**
 * Digest speed against the floor it cannot beat: raw `crypto.hash("sha256")` over comparable bytes,
 * measured in the same run. `tsx bench/digest.ts` prints the table alone.
 *
 * - big typed arrays: digest of a 100 MB Float64Array vs hashing the same bytes (target ≥ 0.95×);
 * - small values: 10k small objects digested one by one (target ≤ 15 ms total), a number, a short string;
 * - call keys: a 2-argument key vs hashing a buffer of the same length (target < 0.5 µs).
 */
import { hash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { digest, digestArgument, makeCallKeyer } from "../src/digest/index.js";
import { formatNs, measure, printTable, ratio, type Row } from "./harness.js";

const MB = 1e6;

/**
 * `measure` for a cheap synchronous operation: the harness awaits between operations, which costs more
 * than a small digest, so each timed operation runs `op` `inner` times and the result is divided back.
 */
async function measureSync(name: string, op: (i: number) => unknown, inner = 200): Promise<number> {
  let i = 0;
  const loop = () => {
    for (let k = 0; k < inner; k++) op(i++);
  };
  const { nsPerOp } = await measure(name, loop, { batch: 50, batches: 15, warmup: 200 });
  return nsPerOp / inner;
}

/** Measure the digest benchmarks; one row per case. */
export async function benchDigest(): Promise<Row[]> {
  return [...(await bigArray()), ...(await smallValues()), ...(await callKeys())];
}

async function bigArray(): Promise<Row[]> {
  const bytes = 100 * MB;
  const array = new Float64Array(bytes / 8).map((_, i) => i * 0.25);
  const view = new Uint8Array(array.buffer);
  const options = { batch: 1, batches: 5, warmup: 1 };
  const raw = await measure("crypto.hash 100 MB", () => hash("sha256", view, "hex"), options);
  const ours = await measure("digest 100 MB Float64Array", () => digest(array), options);
  const throughput = (ns: number) => `${((bytes / MB) / (ns / 1e9)).toFixed(0)} MB/s`;
  return [
    {
      benchmark: "digest(100 MB Float64Array)",
      fleche: `${formatNs(ours.nsPerOp)} (${throughput(ours.nsPerOp)})`,
      baseline: `crypto.hash same bytes: ${formatNs(raw.nsPerOp)} (${throughput(raw.nsPerOp)})`,
      "speed vs baseline": ratio(raw.nsPerOp, ours.nsPerOp),
      target: "≥ 0.95×",
    },
  ];
}

async function smallValues(): Promise<Row[]> {
  const count = 10_000;
  const objects = Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `item${i}`,
    tags: ["a", "b"],
    score: i * 0.5,
    when: new Date(1_700_000_000_000 + i * 1000),
  }));
  // The floor: one crypto.hash per object over as many bytes as its encoding (76 B).
  const encodedSize = Buffer.alloc(76);
  const objectsRaw = await measureSync("crypto.hash 76 B", () => hash("sha256", encodedSize, "hex"), count);
  const objectsOurs = await measureSync("digest small object", (i) => digest(objects[i % count]), count);

  const nine = Buffer.alloc(9);
  const numberRaw = await measureSync("crypto.hash 9 B", () => hash("sha256", nine, "hex"));
  const numberOurs = await measureSync("digest(number)", (i) => digest(i * 0.5));
  const stringOurs = await measureSync("digest(short string)", (i) => digest(i & 1 ? "hello" : "world"));
  const memoOurs = await measureSync("digestArgument(small, memo hit)", (i) => digestArgument(i & 255, "args.x"));

  const total = (ns: number) => formatNs(ns * count);
  return [
    {
      benchmark: "digest 10k small objects (total)",
      fleche: total(objectsOurs),
      baseline: `10k × crypto.hash(76 B): ${total(objectsRaw)}`,
      "speed vs baseline": ratio(objectsRaw, objectsOurs),
      target: "≤ 15 ms",
    },
    {
      benchmark: "digest(number)",
      fleche: formatNs(numberOurs),
      baseline: `crypto.hash(9 B): ${formatNs(numberRaw)}`,
      "speed vs baseline": ratio(numberRaw, numberOurs),
      target: "< 0.4 µs",
    },
    {
      benchmark: "digest(short string)",
      fleche: formatNs(stringOurs),
      baseline: `crypto.hash(9 B): ${formatNs(numberRaw)}`,
      "speed vs baseline": ratio(numberRaw, stringOurs),
      target: "< 0.4 µs",
    },
    {
      benchmark: "digestArgument(small int), memo hit",
      fleche: formatNs(memoOurs),
      baseline: `crypto.hash(9 B): ${formatNs(numberRaw)}`,
      "speed vs baseline": ratio(numberRaw, memoOurs),
      target: "",
    },
  ];
}

async function callKeys(): Promise<Row[]> {
  const key = makeCallKeyer({ name: "add", module: "examples/add", version: 1, codeDigest: null });
  const names = ["a", "b"];
  const digests = [digest(2), digest(3)];
  // Same length as the key's encoding (189 B): identity, names, 2 × (2 + 64) B of digests.
  const sameLength = Buffer.alloc(189);
  const raw = await measureSync("crypto.hash 189 B", () => hash("sha256", sameLength, "hex"));
  const ours = await measureSync("call key, 2 args", () => key(names, digests));
  return [
    {
      benchmark: "call key, 2 arguments",
      fleche: formatNs(ours),
      baseline: `crypto.hash(189 B): ${formatNs(raw)}`,
      "speed vs baseline": ratio(raw, ours),
      target: "< 0.5 µs",
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable("digest", await benchDigest());
}
