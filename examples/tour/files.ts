/**
 * File storage: values and call records as files under a directory, shared by every process that can
 * read it. One `FileStore` with a choice of serializer stands in for the original's PickleFile,
 * CloudpickleFile and DillFile.
 */
import { existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { Cache, FileStore, cache, fleche, type FileStoreOptions } from "../../src/index.js";
import { heading } from "./print.js";

/** Where the tour's caches go (git-ignored); removed at the end of the cell. */
const DEMO = ".fleche-demo";

export async function filesCell(): Promise<void> {
  rmSync(DEMO, { recursive: true, force: true });
  try {
    await v8Files();
    await compressedFiles();
    await jsonFiles();
    await msgpackFiles();
  } finally {
    rmSync(DEMO, { recursive: true, force: true });
  }
}

/** A cache of two file stores under `.fleche-demo/<name>/{values,calls}`. */
function fileCache(name: string, options: Omit<FileStoreOptions, "root"> = {}): Cache {
  return new Cache({
    values: new FileStore({ root: join(DEMO, name, "values"), ...options }),
    calls: new FileStore({ root: join(DEMO, name, "calls"), ...options }),
  });
}

async function v8Files(): Promise<void> {
  heading(
    "FileStore: v8 files",
    "`FileStore` keeps one file per entry under a `root` directory (`root/ab/<digest>`). The default serializer is\n" +
      "Node's structured clone (`v8`): Map, Set, Date, BigInt, typed arrays and cycles come back exactly.",
  );
  const v8Cache = fileCache("v8");
  {
    using _ = cache(v8Cache);
    const greet = fleche(function greet(name: string) {
      console.log(`Executing greet(${name})`);
      return `Hello, ${name}!`;
    });
    console.log(await greet("World"));
    console.log(await greet("World")); // from the files: no "Executing" line
  }
  console.log("Files in calls storage:");
  listFiles(join(DEMO, "v8", "calls"));
  console.log("Files in values storage (small values travel inside the call record):");
  listFiles(join(DEMO, "v8", "values"));
}

async function compressedFiles(): Promise<void> {
  heading(
    "Compressed FileStore",
    'Pass `compress: "gzip"` (or `"brotli"`, or `"zstd"` with the optional zstd-napi package). Readers detect the\n' +
      "compression from the file itself, so stores with any setting read each other's files.",
  );
  const compressedCache = fileCache("compressed", { compress: "gzip" });
  {
    using _ = cache(compressedCache);
    const bigResult = fleche(function bigResult(n: number) {
      return "a".repeat(n);
    });
    await bigResult(1000);
  }
  const [file] = files(join(DEMO, "compressed", "values"));
  const header = readHead(file!, 2);
  console.log(`Is gzip compressed: ${header[0] === 0x1f && header[1] === 0x8b}`); // gzip's magic number 0x1f 0x8b
}

async function jsonFiles(): Promise<void> {
  heading(
    "JSON FileStore",
    "`FileStore.json(...)` writes human-readable JSON that any language can parse; what JSON lacks (Map, Date,\n" +
      "BigInt, NaN, typed arrays, registered classes) is tagged so it round-trips.",
  );
  const jsonCache = new Cache({
    values: FileStore.json({ root: join(DEMO, "json", "values") }),
    calls: FileStore.json({ root: join(DEMO, "json", "calls") }),
  });
  {
    using _ = cache(jsonCache);
    const mul = fleche(function mul(a: number, b: number) {
      console.log(`Executing mul(${a}, ${b})`);
      return a * b;
    });
    console.log(`Result: ${await mul(3, 4)}`);
    console.log(`Result: ${await mul(3, 4)}`);
    const summarize = fleche(function summarize(samples: number[]) {
      console.log(`Executing summarize([${samples.join(", ")}])`);
      return { count: samples.length, mean: samples.reduce((a, b) => a + b, 0) / samples.length, seen: new Set(samples) };
    });
    console.log("Result:", await summarize([1, 2, 2, 5]));
    console.log("Result:", await summarize([1, 2, 2, 5]));
  }
  // A value file is one header line (serializer, length, and the parts a split container refers to),
  // then the payload. The result object was split: its Set is an entry of its own.
  console.log("Files in values storage, with their contents:");
  const root = join(DEMO, "json", "values");
  for (const file of files(root)) console.log(`  ${relative(root, file)}\n    ${readFileSync(file, "utf8").trimEnd().replace("\n", "\n    ")}`);
}

async function msgpackFiles(): Promise<void> {
  heading(
    "MessagePack FileStore",
    "`FileStore.msgpack(...)` writes compact, standard MessagePack that other languages read (Python's msgpack, Go, Rust).",
  );
  const msgpackCache = new Cache({
    values: FileStore.msgpack({ root: join(DEMO, "msgpack", "values") }),
    calls: FileStore.msgpack({ root: join(DEMO, "msgpack", "calls") }),
  });
  {
    using _ = cache(msgpackCache);
    const add = fleche(function add(a: number[], b: number[]) {
      console.log(`Executing add([${a}], [${b}])`);
      return a.map((x, i) => x + b[i]!);
    });
    console.log(`Result: ${await add([3], [4])}`);
    console.log(`Result: ${await add([3], [4])}`);
  }
  console.log("Files in values storage (the two arguments and the result):");
  listFiles(join(DEMO, "msgpack", "values"));
  console.log("Files in calls storage:");
  listFiles(join(DEMO, "msgpack", "calls"));
}

/** Entry files under a store root (shard directories), sorted. */
function files(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).map((name) => join(root, d.name, name)))
    .sort();
}

/** Print a store's entry files like `ls`, relative to the store root; returns them. */
function listFiles(root: string): string[] {
  const found = files(root);
  if (found.length === 0) console.log("  (none)");
  for (const file of found) console.log(`  ${relative(root, file)}`);
  return found;
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(n);
    readSync(fd, head, 0, n, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}
