/**
 * fleche: a persistent, content-addressed cache for function results.
 *
 * Reading the modules in pipeline order retells the design: the wrapper (`fleche.ts`) binds a call
 * (`call.ts`), digests its arguments (`digest/`), looks the key up in the active cache (`context.ts`,
 * `cache.ts`), whose two stores (`stores/`) hold values and call records.
 */
import { registerBuiltinStores } from "./stores/builtin.js";

// The entry point registers the built-in store types, so config files can name them; deeper modules
// never do it as a side effect of being imported (the CLI's entry does the same).
registerBuiltinStores();

export { fleche, type Fleched, type FlecheHelpers, type FunctionQuery } from "./fleche.js";
export type { FlecheOptions } from "./options.js";
export { Call, THIS } from "./call.js";
export type { CallRecord, JsonValue, Metadata, MetadataNamespace, Version } from "./call-record.js";
export { LazyCall } from "./lazy-call.js";
export { PreparedCall } from "./prepared-call.js";
export {
  D,
  Digest,
  DIGEST_LENGTH,
  digest,
  digestSymbol,
  isDigest,
  registerDigest,
  type FunctionIdentity,
} from "./digest/index.js";
export { Cache, type CacheOptions } from "./cache.js";
export { MISS, type CacheConfig, type CacheCore, type CacheLike } from "./cache-like.js";
export { Refreshing } from "./caches/refreshing.js";
export {
  activeCache,
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
export { resetConfig } from "./config/resolve.js";
export { cacheFromConfig } from "./config/build.js";
export { Memory, type MemoryOptions } from "./stores/memory.js";
export { Void } from "./stores/void.js";
export type { CallStore, KeyStream, ResultRef, Store, StoreConfig, ValueStore, VerifyOptions, VerifyReport } from "./stores/types.js";
export { registerStore, storeTypes, type StoreContext, type StoreFactory, type StoreRole } from "./stores/registry.js";
export { MIN_PREFIX, allKeys, expandPrefix, shrinkAgainst } from "./stores/keys.js";
export { countReuses } from "./stores/reuses.js";
export { INLINE_STRING_LIMIT, inlineValueOf, isInlineValue, recordProblem, type InlineEntry, type InlineValue } from "./call-record.js";
export type { MetadataFields, MetadataProvider } from "./metadata/provider.js";
export { Runtime } from "./metadata/runtime.js";
export { Environment, flecheVersion } from "./metadata/environment.js";
export { Git, type GitOptions } from "./metadata/git.js";
export { metadataFromNames, metadataNames, registerMetadata } from "./metadata/registry.js";
export { Tags } from "./metadata/tags.js";
export { Query, type CallKey, type CallSource } from "./query/query.js";
export { preview, type TableOptions, type TableRow } from "./query/table.js";
export { transferCalls, type TransferOptions, type TransferReport } from "./query/transfer.js";
export { matchesRecord, toTemplate, type MetadataFilter, type QueryFilter, type RecordTemplate } from "./query/template.js";
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
export { CacheStack } from "./caches/stack.js";
export { CachePool } from "./caches/pool.js";
export { ReadOnly, isReadOnly } from "./caches/read-only.js";
export { Filtered, type CallPredicate } from "./caches/filtered.js";
export { SizeLimited, sizeOf, type SizeLimitOptions } from "./caches/size-limited.js";
export { evictionNames, registerEviction, type EvictionPolicy, type EvictionPolicyFactory } from "./caches/eviction.js";
export { DEFAULT_GRACE, type GcOptions, type GcReport } from "./caches/gc.js";
export type { RedigestOnError, RedigestOptions, RedigestReport } from "./caches/redigest.js";
export { filtered, gc, readOnly, redigest, transfer, type Collectable, type Redigestable } from "./caches/operations.js";
export { checkReferences, type DanglingReference, type ReferenceCheckOptions, type ReferenceReport } from "./caches/references.js";
export { configure, currentConfig, defaultCache, defaultMetadata, isStrict, resolveCacheName, setStrictDefault } from "./config/resolve.js";
export {
  defineConfig,
  type CacheModifiers,
  type CacheShape,
  type DefaultTable,
  type FlecheConfig,
  type PlainCacheTable,
  type PoolCacheTable,
  type StackCacheTable,
  type StoreTable,
  type TemplateCacheTable,
} from "./config/define.js";
export { describeConfig, type ConfigDescription, type DescribedTable } from "./config/describe.js";
export { loadConfig, readConfigFile, type ConfigEntry, type ConfigLayer, type ConfigProblem, type LoadedConfig } from "./config/load.js";
export { candidateFiles, discoverConfigFiles, type ConfigEnvironment } from "./config/discover.js";
export { registerTemplate, templateNames, type TemplateExpander, type TemplateExpansion } from "./config/templates.js";
export { NdArray, isNumericArray, ndarray, type NumericArray } from "./ndarray.js";
export { Hdf5Store, type Hdf5Compression, type Hdf5StoreOptions } from "./stores/hdf5/index.js";
export { Sql, type SqlOptions } from "./stores/sql/store.js";
export type { SqlInfo } from "./stores/sql/driver.js";
export { parseSqlUrl, type SqlLocation } from "./stores/sql/url.js";
export { OPERATORS, type Operator } from "./query/metadata-filter.js";
export { FileStore } from "./stores/file/file-store.js";
export type { FileStoreOptions } from "./stores/file/options.js";
export type { Compression } from "./stores/file/compression.js";
export type { SecretKeyInput } from "./stores/file/signing.js";
export { registerClass, type ClassOptions, type SerializerName } from "./serializers/index.js";
