/**
 * The public surface, pinned. Every name an entry exports is a promise to users, so adding or removing one
 * must be a deliberate edit of this file (docs/api.md says what goes where). Runtime names come from
 * importing the entry; type-only names from its `export type` clauses, which leave no trace at run time.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const ENTRIES = {
  root: {
    file: "../../src/index.ts",
    values: [
      "AmbiguousDigestError", "Cache", "CacheMiss", "CachePool", "CacheStack", "ConfigError", "D", "Digest",
      "Environment", "Expiring", "FileStore", "FlecheError", "Git", "Hdf5Store", "Indigestible", "Memory", "NdArray", "Query",
      "Rejected", "Runtime", "S3Store", "SaveError", "SignatureError", "SizeLimited", "Sql", "StoreUnavailable", "Tags", "Void",
      "activeMeta", "cache", "cacheFromConfig", "cached", "checkReferences", "configure", "defineConfig", "describeConfig",
      "digest", "digestSymbol", "fleche", "jobQueue", "meta", "ndarray", "persistent", "progressBar", "project", "registerClass", "registerDigest", "setLogger",
      "tags", "threads", "withCache", "withMeta", "withProject", "withTags",
    ],
    types: [
      "AnyMethod", "ArgumentDifference", "CacheLike", "CacheOptions", "CacheRef", "CacheStackOptions", "CacheSwitch",
      "CachedDecorator", "Call", "CallPredicate", "CallRecord", "CallTask", "ClassOptions", "ConfigDescription", "ErrorCode",
      "Executor", "ExpiringOptions", "Explanation", "FileStoreOptions", "Filtered", "FlecheConfig", "FlecheHelpers",
      "FlecheOptions", "Fleched", "FunctionQuery", "FunctionReference", "GcOptions", "GcReport", "GitOptions", "Hdf5StoreOptions",
      "IdentityDifference", "JobQueueOptions", "JsonValue", "LazyCall", "LeaseOptions", "LeaseSetting", "Logger", "MapOptions", "MapOutcome", "MapProgress", "MapRun", "MemoryOptions",
      "Metadata", "MetadataFields", "MetadataFilter", "MetadataProvider", "Neighbour", "QueryFilter", "ReadOnly",
      "RedigestOptions", "RedigestReport", "ReferenceCheckOptions", "ReferenceReport", "Restore", "S3StoreOptions",
      "SerializerName", "SizeLimitOptions", "Skipped", "SqlOptions", "TaskResult", "ThreadsOptions", "TransferOptions", "TransferReport", "Verdict",
    ],
  },
  "store-kit": {
    file: "../../src/store-kit.ts",
    values: [
      "Call", "DIGEST_LENGTH", "INLINE_STRING_LIMIT", "LazyCall", "MIN_PREFIX", "MISS", "OPERATORS", "PreparedCall",
      "THIS", "allKeys", "checkOptions", "configFromSettings", "countReuses", "evictionNames", "expandPrefix", "inlineValueOf", "isDigest", "isInlineValue",
      "isNumericArray", "leasesOf", "matchesRecord", "metadataFromNames", "metadataNames", "optionsFromConfig", "recordProblem", "registerEviction",
      "registerMetadata", "registerStore", "registerTemplate", "shrinkAgainst", "sizeOf", "storeDescriptors", "storeTypes",
      "templateNames", "toTemplate",
    ],
    types: [
      "CacheConfig", "CacheCore", "CallCatalog", "CallKey", "CallSource", "CallStore", "EvictionPolicy",
      "EvictionPolicyFactory", "FunctionCount", "FunctionIdentity", "FunctionTally", "InlineEntry", "InlineValue",
      "KeyStream", "LeaseAttempt", "LeaseInfo", "LeaseOwner", "Leases", "Leasing", "MetadataNamespace",
      "NumericArray", "Operator", "RawEntries", "RecordTemplate", "ResultRef", "RuntimePoint", "Store",
      "StoreConfig", "StoreContext", "StoreDescriptor", "StoreFactory", "StoreOption", "StoreOptionTable",
      "StoreRole", "TemplateExpander", "TemplateExpansion", "ValueReference", "ValueStore", "VerifyOptions",
      "VerifyReport", "Version",
    ],
  },
  testing: {
    file: "../../src/testing.ts",
    values: ["callStoreSuite", "leaseSuite", "sampleRecord", "valueStoreSuite", "valueZoo"],
    types: ["CallSuiteOptions", "LeaseSuiteOptions", "ValueSuiteOptions", "ZooEntry"],
  },
} as const;

/** Names an entry exports as types only: `export type { A }` or `export { type A }`. */
function typeNames(source: string): string[] {
  const names: string[] = [];
  for (const [, allTypes, list] of source.matchAll(/export (type )?\{([^}]*)\}/g)) {
    for (const raw of (list ?? "").split(",")) {
      const name = raw.trim();
      if (name && (allTypes || name.startsWith("type "))) names.push(name.replace(/^type /, "").trim());
    }
  }
  return names.sort();
}

describe("public exports", () => {
  for (const [entry, pinned] of Object.entries(ENTRIES)) {
    it(`${entry}: runtime names are exactly the pinned list`, async () => {
      const module = (await import(pinned.file.replace(/\.ts$/, ".js"))) as Record<string, unknown>;
      assert.deepEqual(Object.keys(module).sort(), [...pinned.values].sort());
    });
    it(`${entry}: type names are exactly the pinned list`, () => {
      const source = readFileSync(new URL(pinned.file, import.meta.url), "utf8");
      assert.deepEqual(typeNames(source), [...pinned.types].sort());
    });
  }

  it("test hooks stay internal", async () => {
    const root = (await import("../../src/index.js")) as Record<string, unknown>;
    for (const hook of ["setStrictDefault", "resetConfig", "currentConfig", "candidateFiles", "isStrict", "activeCache"]) {
      assert.equal(root[hook], undefined, `${hook} is a test hook, not public API`);
    }
  });
});
