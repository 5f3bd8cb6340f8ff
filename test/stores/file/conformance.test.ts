/** FileStore passes both conformance suites with every serializer, compressed, signed and split differently. */
import { FileStore, type FileStoreOptions } from "../../../src/index.js";
import { valueStoreSuite } from "../../../src/testing/value-store.js";
import { callStoreSuite } from "../../../src/testing/call-store.js";
import { tempDirs } from "../../helpers/temp.js";

const dir = tempDirs("file-conformance");
const KEY = "7f".repeat(32);

const variants: [string, Omit<FileStoreOptions, "root">][] = [
  ["v8", { serializer: "v8" }],
  ["json", { serializer: "json" }],
  ["msgpack", { serializer: "msgpack" }],
  ["v8 + gzip", { serializer: "v8", compress: "gzip" }],
  ["json + brotli", { serializer: "json", compress: "brotli" }],
  ["msgpack + zstd", { serializer: "msgpack", compress: "zstd" }],
  ["v8, signed", { serializer: "v8", secretKey: KEY }],
  ["json + gzip, signed with two keys", { serializer: "json", compress: "gzip", secretKey: [KEY, "00ff"] }],
  ["v8, remainingDepth 0, every part split (minPartSize 0)", { serializer: "v8", remainingDepth: 0, minPartSize: 0 }],
  ["json, every container split (minPartSize 0)", { serializer: "json", minPartSize: 0 }],
  ["v8, parts of 1 KiB or more split", { serializer: "v8", minPartSize: 1024 }],
  ["msgpack, remainingDepth Infinity", { serializer: "msgpack", remainingDepth: Infinity }],
];

for (const [name, options] of variants) {
  const make = () => new FileStore({ root: dir(), ...options });
  const reopen = (store: { toConfig(): Record<string, unknown> }) => new FileStore({ ...options, root: store.toConfig().root as string });
  // Keys are never in toConfig() (it writes `signed = true`): the config round trip gives them back.
  const secrets = options.secretKey === undefined ? {} : { secret_key: options.secretKey };
  valueStoreSuite({ name: `FileStore (${name})`, make, reopen, touches: true, secrets });
  callStoreSuite({ name: `FileStore (${name})`, make, reopen, secrets });
}
