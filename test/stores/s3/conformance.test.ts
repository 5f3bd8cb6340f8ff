/**
 * S3Store passes both conformance suites against a real S3-compatible server (s3rver on loopback, driven
 * through the real AWS SDK): plain, compressed, signed, under a prefix, split differently. Each store gets
 * a prefix of its own in the one bucket, so the tests of a file never see each other's objects.
 */
import { S3Store, type S3StoreOptions } from "../../../src/index.js";
import { valueStoreSuite } from "../../../src/testing/value-store.js";
import { callStoreSuite } from "../../../src/testing/call-store.js";
import { startS3, type S3Server } from "../../helpers/s3.js";

const KEY = "7f".repeat(32);
const server: S3Server = await startS3(); // at the top level, so it stops after the whole file

let n = 0;
// [name, options, also run the call suite]. Records are the same JSON whatever the serializer,
// compression and splitting, so the (slow: every query scans every record over HTTP) call suite runs
// for what changes their objects: signing, and the key prefix.
const variants: [string, Omit<S3StoreOptions, "bucket" | "endpoint">, boolean][] = [
  ["v8", {}, true],
  ["json + gzip", { serializer: "json", compress: "gzip" }, false],
  ["msgpack + zstd, under a prefix", { serializer: "msgpack", compress: "zstd", prefix: "team/cache" }, false],
  ["v8, signed, under a prefix", { secretKey: KEY, prefix: "signed/team" }, true],
  ["v8, every part split (minPartSize 0)", { minPartSize: 0, remainingDepth: 0 }, false],
];

for (const [name, options, calls] of variants) {
  const settings = (prefix: string): S3StoreOptions => ({ bucket: server.bucket, endpoint: server.endpoint, forcePathStyle: true, region: "us-east-1", ...options, prefix });
  const make = () => new S3Store(settings(`${options.prefix ?? "t"}/${n++}`));
  const reopen = (store: { toConfig(): Record<string, unknown> }) => new S3Store(settings(store.toConfig().prefix as string));
  const secrets = options.secretKey === undefined ? {} : { secret_key: options.secretKey };
  valueStoreSuite({ name: `S3Store (${name})`, make, reopen, secrets });
  if (calls) callStoreSuite({ name: `S3Store (${name})`, make, reopen, secrets });
}
