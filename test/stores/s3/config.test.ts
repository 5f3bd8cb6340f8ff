/**
 * S3Store's options and config: snake_case round trips, no credentials or keys written, clear errors for
 * bad options; and the SDK's Node-version warning kept from users (in a child process, where it would
 * otherwise print once).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import { Cache, ConfigError, S3Store, cacheFromConfig } from "../../../src/index.js";
import { startS3 } from "../../helpers/s3.js";
import { bundleScript } from "../../helpers/bundle.js";
import { tempDirs } from "../../helpers/temp.js";

const server = await startS3();
const dir = tempDirs("s3-config");

describe("S3Store options and config", () => {
  it("builds from a config table and round-trips through toConfig(), never writing keys", () => {
    const values = { type: "s3", bucket: "team-cache", prefix: "ml/", region: "eu-west-1", endpoint: "https://minio.example:9000", force_path_style: true, serializer: "msgpack", compress: "zstd", secret_key: "ab".repeat(32) };
    const built = cacheFromConfig({ values, calls: { type: "memory" } }) as Cache;
    const store = built.values as S3Store;
    assert.ok(store instanceof S3Store);
    assert.equal(store.signed, true);
    const written = store.toConfig();
    assert.deepEqual(written, { type: "s3", bucket: "team-cache", prefix: "ml/", region: "eu-west-1", endpoint: "https://minio.example:9000", force_path_style: true, serializer: "msgpack", compress: "zstd", signed: true });
    assert.ok(!inspect(store).includes("ab".repeat(32)), inspect(store));
    assert.deepEqual(new S3Store({ bucket: "b-1" }).toConfig(), { type: "s3", bucket: "b-1", serializer: "v8" });
  });

  it("normalises the prefix to end with one '/'", () => {
    assert.equal(new S3Store({ bucket: "bkt", prefix: "a/b" }).prefix, "a/b/");
    assert.equal(new S3Store({ bucket: "bkt", prefix: "a/b/" }).prefix, "a/b/");
    assert.equal(new S3Store({ bucket: "bkt" }).prefix, "");
  });

  it("rejects bad options, naming them (and never echoing an endpoint's credentials)", () => {
    assert.throws(() => new S3Store({ bucket: "bkt", bukket: 1 } as never), (e: unknown) => e instanceof ConfigError && /bukket/.test(e.message));
    assert.throws(() => new S3Store({} as never), (e: unknown) => e instanceof ConfigError && /`bucket`/.test(e.message));
    assert.throws(() => new S3Store({ bucket: "Bad_Bucket!" }), /`bucket` must be a bucket name/);
    assert.throws(() => new S3Store({ bucket: "bkt", prefix: "/abs" }), /`prefix` must be a key prefix/);
    assert.throws(() => new S3Store({ bucket: "bkt", endpoint: "ftp://x" }), /`endpoint` must be an http\(s\) URL/);
    assert.throws(() => new S3Store({ bucket: "bkt", forcePathStyle: "yes" as never }), /`forcePathStyle` must be true or false/);
    assert.throws(
      () => new S3Store({ bucket: "bkt", endpoint: "https://AKIA:hunter2@minio.example" }),
      (e: unknown) => e instanceof ConfigError && /must not carry credentials/.test(e.message) && !e.message.includes("hunter2"),
    );
    assert.throws(() => cacheFromConfig({ values: { type: "s3", bucket: "bkt", access_key: "x" }, calls: { type: "memory" } }), /unknown option `access_key` for a 's3' store/);
    assert.throws(() => cacheFromConfig({ values: { type: "s3", bucket: "bkt", signed: true }, calls: { type: "memory" } }), /signed, but no key is given/);
  });
});

describe("without the optional AWS SDK", () => {
  it("a store is built (nothing loads the SDK before a request), and its first request names the package to install", async () => {
    const script = await bundleScript("test/stores/s3/children/without-sdk.ts", dir());
    const run = spawnSync(process.execPath, [script], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const { constructed, outcome } = JSON.parse(run.stdout) as { constructed: boolean; outcome: string };
    assert.equal(constructed, true);
    assert.match(outcome, /^FLECHE_MISSING_DEPENDENCY: S3Store s3:\/\/any-bucket\/ at http:\/\/127\.0\.0\.1:9: S3 stores need the optional package '@aws-sdk\/client-s3' \(npm install @aws-sdk\/client-s3 @aws-sdk\/lib-storage\)/);
  });
});

describe("the AWS SDK's Node-version warning", () => {
  const child = fileURLToPath(new URL("./children/quiet-sdk.ts", import.meta.url));
  const run = (mode: string) => {
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    return spawnSync(process.execPath, ["--import", "tsx", child, server.endpoint, server.bucket, mode], { env, encoding: "utf8" });
  };
  const nodeMajor = Number(process.versions.node.split(".")[0]);

  it("never reaches the user of an S3Store, and the environment is left as it was", () => {
    const out = run("store");
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /done unset/);
    assert.doesNotMatch(out.stderr, /NodeVersionSupportWarning/);
  });

  it("is what the SDK prints on its own before Node 22 (so the check above can see it)", () => {
    const out = run("raw");
    assert.equal(out.status, 0, out.stderr);
    if (nodeMajor < 22) assert.match(out.stderr, /NodeVersionSupportWarning/);
    else assert.doesNotMatch(out.stderr, /NodeVersionSupportWarning/, "the SDK only warns before Node 22");
  });
});
