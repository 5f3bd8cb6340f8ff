// A process that uses an S3Store (or, with "raw", the SDK's own client) against the server at argv[2]:
// its stderr tells whether the SDK's Node-version warning reached the user.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3Store } from "../../../../src/index.js";

const [endpoint, bucket, mode] = process.argv.slice(2);
if (mode === "raw") {
  const client = new S3Client({ endpoint, forcePathStyle: true, region: "us-east-1" });
  await client.send(new GetObjectCommand({ Bucket: bucket, Key: "none" })).catch(() => undefined);
  client.destroy();
} else {
  const store = new S3Store({ bucket: bucket!, endpoint, forcePathStyle: true, region: "us-east-1", prefix: "quiet" });
  const key = await store.saveValue({ quiet: true });
  if (JSON.stringify(await store.loadValue(key)) !== '{"quiet":true}') throw new Error("round trip failed");
  await store.close();
}
process.stdout.write(`done ${process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? "unset"}\n`);
