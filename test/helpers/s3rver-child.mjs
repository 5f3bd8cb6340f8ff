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
// Every request, so tests can see how the store talks to the server (a multipart upload, ranged reads).
server.httpServer.on("request", (req) => process.stdout.write(`request ${req.method} ${req.url} ${req.headers.range ?? "-"}\n`));
process.stdout.write(`listening ${address.port}\n`);
// The parent holds our stdin open: when it ends (the parent exited, even killed), so do we.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
