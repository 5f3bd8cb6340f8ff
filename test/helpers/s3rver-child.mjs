// A real S3-compatible server (s3rver) in a process of its own, so tests can stop it (SIGKILL: as abruptly
// as a crashed or unplugged server) and start it again on the same port and directory.
// Usage: node s3rver-child.mjs <port, 0 for any free one> <directory> <bucket,...>
import S3rver from "s3rver";

const [port, directory, buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: (buckets ?? "").split(",").filter(Boolean).map((name) => ({ name })),
});
const address = await server.run();
process.stdout.write(`listening ${address.port}\n`);
