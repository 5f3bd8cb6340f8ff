/**
 * Unknown option keys are errors, never silently ignored. TypeScript rejects them in object literals, so
 * each case builds its options at run time (`as never`), as JavaScript callers and config-driven code do.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache } from "../src/cache.js";
import { ConfigError } from "../src/errors.js";
import { fleche } from "../src/fleche.js";
import { withCache } from "../src/context.js";
import { Memory } from "../src/stores/memory.js";
import { Void } from "../src/stores/void.js";
import { FileStore } from "../src/stores/file/file-store.js";
import { Hdf5Store } from "../src/stores/hdf5/index.js";
import { Sql } from "../src/stores/sql/store.js";
import { SizeLimited } from "../src/caches/size-limited.js";
import { Git } from "../src/metadata/git.js";
import { threads } from "../src/parallel/threads.js";
import { rejectUnknownKeys } from "../src/known-keys.js";
import { tempDirs } from "./helpers/temp.js";

const dir = tempDirs("unknown-options");

/** Asserts a `ConfigError` naming `what`, the unknown `key`, every accepted key and, when given, a suggestion. */
function rejects(what: string, key: string, accepted: readonly string[], suggestion?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, "FLECHE_CONFIG");
    assert.ok(error.message.startsWith(`${what}: unknown option \`${key}\``), error.message);
    for (const name of accepted) assert.ok(error.message.includes(name), `${error.message} should list ${name}`);
    if (suggestion) assert.ok(error.message.includes(`(did you mean \`${suggestion}\`?)`), error.message);
    return true;
  };
}

async function listed(keys: Iterable<string> | AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  return all.sort();
}

const memoryCache = () => new Cache({ values: new Memory(), calls: new Memory() });

/** A small cache on disk (FileStore values, SQLite records) holding two calls. */
async function onDisk(): Promise<{ cache: Cache; root: string }> {
  const root = dir();
  const cache = new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new Sql({ url: `sqlite:///${join(root, "calls.db")}` }) });
  // Arrays, not numbers: small numbers travel inside the records, and gc must have values to spare.
  const squares = fleche((xs: number[]) => xs.map((x) => x * x), { name: "squares", module: "unknown-options" });
  await withCache(cache, async () => {
    await squares([2]);
    await squares([3, 4]);
  });
  return { cache, root };
}

describe("unknown option keys", () => {
  it("fleche() rejects them when wrapping, with a suggestion", () => {
    const accepted = ["name", "module", "version", "params", "ignore", "require", "hashCode", "meta", "strict"];
    assert.throws(() => fleche(function f(a: number) { return a; }, { verison: 2 } as never), rejects("fleche(f)", "verison", accepted, "version"));
    assert.throws(() => fleche((a: number) => a, { hash_code: true } as never), rejects("fleche(anonymous)", "hash_code", accepted, "hashCode"));
    // The accepted ones still work, and `{}` or no options at all are fine.
    assert.equal(typeof fleche((a: number) => a, { version: 1, strict: false }), "function");
  });

  it("new Cache() rejects them", () => {
    assert.throws(() => new Cache({ values: new Memory(), calls: new Memory(), inlin: false } as never), rejects("new Cache(...)", "inlin", ["values", "calls", "inline"], "inline"));
  });

  it("every store's constructor rejects them", () => {
    const root = dir();
    assert.throws(() => new Memory({ lable: "m" } as never), rejects("new Memory(...)", "lable", ["label"], "label"));
    assert.throws(() => new Void({ root } as never), (error: unknown) => error instanceof ConfigError && /new Void\(\.\.\.\): unknown option `root` \(it takes none\)/.test(error.message));
    const fileKeys = ["root", "serializer", "compress", "secretKey", "remainingDepth", "minPartSize"];
    assert.throws(() => new FileStore({ root, secret_key: "00" } as never), rejects("new FileStore(...)", "secret_key", fileKeys, "secretKey"));
    assert.throws(() => new FileStore({ root, compression: "gzip" } as never), rejects("new FileStore(...)", "compression", fileKeys));
    assert.throws(() => new Hdf5Store({ root, prefix_length: 1 } as never), rejects("new Hdf5Store(...)", "prefix_length", ["root", "prefixLength", "compression"], "prefixLength"));
    assert.throws(() => new Sql({ url: ":memory:", read_only: true } as never), rejects("new Sql(...)", "read_only", ["url", "readOnly"], "readOnly"));
  });

  it("size-limited caches and metadata providers reject them", () => {
    assert.throws(() => new SizeLimited(memoryCache(), { maxSize: 2, maxsize: 3 } as never), rejects("SizeLimited", "maxsize", ["maxSize", "maxBytes", "eviction"], "maxSize"));
    assert.throws(() => Git({ timout: 10 } as never), rejects("Git()", "timout", ["timeout", "ttl", "cwd", "command"], "timeout"));
  });

  it("f.map() and threads() reject them before starting anything", () => {
    const mapped = fleche(function mapped(x: number) {
      return x;
    });
    assert.throws(() => mapped.map([[1]], { concurency: 2 } as never), rejects("mapped.map()", "concurency", ["concurrency", "signal", "onProgress", "executor"], "concurrency"));
    assert.throws(() => threads({ sizes: 2 } as never), rejects("threads()", "sizes", ["size"], "size"));
  });

  it("transfer with pop rejects them before moving anything", async () => {
    const { cache: source } = await onDisk();
    const { cache: target } = await onDisk();
    try {
      await target.query().evict();
      await assert.rejects(source.transfer(target, { pop: true, overwite: true } as never), rejects("transfer()", "overwite", ["pop", "overwrite", "allowDangling", "onProgress"], "overwrite"));
      await assert.rejects(source.query().transfer(target, { pop: true, allow_dangling: true } as never), rejects("transfer()", "allow_dangling", ["allowDangling"], "allowDangling"));
      assert.equal(await source.query().count(), 2);
      assert.equal(await target.query().count(), 0);
    } finally {
      await source.close();
      await target.close();
    }
  });

  it("gc, redigest and verify reject them before touching a store", async () => {
    const { cache } = await onDisk();
    try {
      const values = await listed(cache.values.listValues());
      assert.ok(values.length >= 4);
      await assert.rejects(cache.gc({ dry_run: true, grace: 0 } as never), rejects("gc()", "dry_run", ["dryRun", "grace", "onProgress"], "dryRun"));
      await assert.rejects(cache.redigest({ onError: "skip" } as never), rejects("redigest()", "onError", ["onerror", "onProgress"], "onerror"));
      await assert.rejects((cache.values as FileStore).verify({ repiar: true } as never), rejects("FileStore.verify()", "repiar", ["repair", "deep", "onProgress"], "repair"));
      await assert.rejects((cache.calls as Sql).verify({ depp: true } as never), rejects("Sql.verify()", "depp", ["repair", "deep", "onProgress"], "deep"));
      assert.deepEqual(await listed(cache.values.listValues()), values);
      assert.equal(await cache.query().count(), 2);
    } finally {
      await cache.close();
    }
  });

  it("table() and sortBy() reject them", async () => {
    const { cache } = await onDisk();
    try {
      await assert.rejects(cache.query().table({ shrink_keys: false } as never), (error: unknown) => error instanceof ConfigError && /`shrink_keys`.*did you mean `shrinkKeys`/.test(error.message));
      assert.throws(() => cache.query().sortBy("xs", { revers: true } as never), rejects("sortBy()", "revers", ["reverse"], "reverse"));
    } finally {
      await cache.close();
    }
  });

  it("rejectUnknownKeys passes missing options and lists the accepted keys", () => {
    rejectUnknownKeys("thing", undefined, ["a"]);
    rejectUnknownKeys("thing", {}, ["a"]);
    rejectUnknownKeys("thing", { a: 1 }, ["a"]);
    assert.throws(() => rejectUnknownKeys("thing", { zzz: 1 }, ["a", "b"]), /^ConfigError: thing: unknown option `zzz` \(expected one of: a, b\)$/);
  });
});

describe("configure() options", () => {
  it("rejects an unknown option key, naming it and the accepted ones, and keeps the configuration it had", async () => {
    const { configure, currentConfig } = await import("../src/config/resolve.js");
    const before = currentConfig();
    assert.throws(
      () => configure({ default: { cache: "memory" } }, { basedir: "/tmp" } as never),
      (error: unknown) => error instanceof ConfigError && /`basedir`/.test(error.message) && /baseDir/.test(error.message) && /origin/.test(error.message),
    );
    assert.deepEqual(currentConfig(), before, "a rejected call changes nothing");
  });
});

describe("suggestions the docs promise", () => {
  it("a misspelt store type or a longer form of an option name gets a 'did you mean'", async () => {
    const { cacheFromConfig } = await import("../src/index.js");
    assert.throws(
      () => cacheFromConfig({ values: { type: "files", root: dir() }, calls: { type: "memory" } }),
      (e: unknown) => e instanceof ConfigError && /unknown store type 'files' \(did you mean `file`\?\)/.test(e.message),
    );
    assert.throws(
      () => cacheFromConfig({ values: { type: "file", root: dir(), compression: "gzip" }, calls: { type: "memory" } }),
      (e: unknown) => e instanceof ConfigError && /unknown option `compression` for a 'file' store \(did you mean `compress`\?\)/.test(e.message),
    );
    assert.throws(
      () => cacheFromConfig({ values: { type: "file", root: dir(), zz: 1 }, calls: { type: "memory" } }),
      (e: unknown) => e instanceof ConfigError && !/did you mean/.test(e.message),
      "no suggestion for a word close to nothing",
    );
  });
});
