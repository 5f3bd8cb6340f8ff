/**
 * fleche: a persistent, content-addressed cache for function results.
 *
 * Reading the modules in pipeline order retells the design: the wrapper (`fleche.ts`) binds a call
 * (`call.ts`), digests its arguments (`digest/`), looks the key up in the active cache (`context.ts`,
 * `cache.ts`), whose two stores (`stores/`) hold values and call records.
 *
 * This entry is curated: it holds what a user of the wrapper, the stores, the composed caches and the
 * configuration needs, and nothing else. What a store author needs lives in `fleche/store-kit`
 * (`store-kit.ts`), the conformance suites in `fleche/testing` (`testing.ts`); test hooks stay internal
 * and tests import them by path. `test/structure/exports.test.ts` pins every list, so adding a public
 * name is a deliberate act. Whole-cache operations are methods (`cache.transfer()`, `cache.readOnly()`,
 * `cache.filter()`, `cache.gc()`, `cache.redigest()`, `query.transfer()`): one way each (docs/api.md).
 *
 * @module fleche
 */
import { registerBuiltinStores } from "./stores/builtin.js";

// The entry point registers the built-in store types, so config files can name them; deeper modules
// never do it as a side effect of being imported (the CLI's entry does the same).
registerBuiltinStores();

// The wrapper and what its helpers hand back.
export { fleche } from "./fleche.js";
export type { Fleched, FlecheHelpers, FunctionQuery } from "./wrapped.js";
export { cached, type AnyMethod, type CachedDecorator } from "./decorator.js";
export type { FlecheOptions } from "./options.js";
export type { LeaseOptions, LeaseSetting } from "./leases/settings.js";
export type { Call } from "./call.js";
export type { CallRecord, JsonValue, Metadata } from "./call-record.js";
export type { LazyCall } from "./lazy-call.js";
export type { ArgumentDifference, Explanation, IdentityDifference, Neighbour, Skipped, Verdict } from "./explain/report.js";

// Many calls at once: `f.map` and where its misses run.
export { threads, type ThreadsOptions } from "./parallel/threads.js";
export { progressBar } from "./parallel/progress-bar.js";
export { jobQueue } from "./parallel/queue/job-queue.js";
export type { JobQueueOptions } from "./parallel/queue/options.js";
export type { MapOptions, MapOutcome, MapProgress, MapRun } from "./parallel/map-types.js";
export type { Executor, TaskResult } from "./parallel/executor.js";
export type { CallTask, FunctionReference } from "./parallel/task.js";

// Digests: content keys, references by digest, hooks for the user's own classes.
export { D, Digest, digest, digestSymbol, registerDigest } from "./digest/index.js";
export { registerClass, type ClassOptions, type SerializerName } from "./serializers/index.js";

// The active cache and metadata, switched or scoped.
export {
  activeMeta,
  cache,
  meta,
  project,
  tags,
  withCache,
  withMeta,
  withProject,
  withTags,
  type CacheRef,
  type CacheSwitch,
  type Restore,
} from "./context.js";

// Caches and their composition; views come from methods (`readOnly()`, `filter()`), not constructors.
export { Cache, type CacheOptions } from "./cache.js";
export type { CacheLike } from "./cache-like.js";
export { CacheStack, type CacheStackOptions } from "./caches/stack.js";
export { persistent } from "./caches/persistent.js";
export { CachePool } from "./caches/pool.js";
export { SizeLimited, type SizeLimitOptions } from "./caches/size-limited.js";
export { Expiring, type ExpiringOptions } from "./caches/expiring.js";
export type { ReadOnly } from "./caches/read-only.js";
export type { Filtered, CallPredicate } from "./caches/filtered.js";
export type { GcOptions, GcReport } from "./caches/gc.js";
export type { RedigestOptions, RedigestReport } from "./caches/redigest.js";
export { checkReferences, type ReferenceCheckOptions, type ReferenceReport } from "./caches/references.js";

// Stores.
export { Memory, type MemoryOptions } from "./stores/memory.js";
export { Void } from "./stores/void.js";
export { FileStore } from "./stores/file/file-store.js";
export type { FileStoreOptions } from "./stores/file/options.js";
export { Hdf5Store, type Hdf5StoreOptions } from "./stores/hdf5/index.js";
export { Sql, type SqlOptions } from "./stores/sql/store.js";
export { S3Store } from "./stores/s3/s3-store.js";
export type { S3StoreOptions } from "./stores/s3/options.js";
export { NdArray, ndarray } from "./ndarray.js";

// Queries.
export { Query } from "./query/query.js";
export type { TransferOptions, TransferReport } from "./query/transfer.js";
export type { MetadataFilter, QueryFilter } from "./query/template.js";

// Metadata providers.
export type { MetadataFields, MetadataProvider } from "./metadata/provider.js";
export { Runtime } from "./metadata/runtime.js";
export { Environment } from "./metadata/environment.js";
export { Git, type GitOptions } from "./metadata/git.js";
export { Tags } from "./metadata/tags.js";

// Configuration.
export { cacheFromConfig } from "./config/build.js";
export { configure } from "./config/resolve.js";
export { defineConfig, type FlecheConfig } from "./config/define.js";
export { describeConfig, type ConfigDescription } from "./config/describe.js";

// Errors and logging.
export {
  AmbiguousDigestError,
  CacheMiss,
  ConfigError,
  FlecheError,
  Indigestible,
  Rejected,
  SaveError,
  SignatureError,
  StoreUnavailable,
  type ErrorCode,
} from "./errors.js";
export { setLogger, type Logger } from "./log.js";
