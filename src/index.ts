/**
 * fleche: a persistent, content-addressed cache for function results.
 *
 * Reading the modules in pipeline order retells the design: the wrapper (`fleche.ts`) binds a call
 * (`call.ts`), digests its arguments (`digest/`), looks the key up in the active cache (`context.ts`,
 * `cache.ts`), whose two stores (`stores/`) hold values and call records.
 */
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
export { MISS, type CacheConfig, type CacheLike } from "./cache-like.js";
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
export type { CallStore, KeyStream, Store, StoreConfig, ValueStore, VerifyOptions, VerifyReport } from "./stores/types.js";
export { registerStore, storeTypes, type StoreContext, type StoreFactory, type StoreRole } from "./stores/registry.js";
export { MIN_PREFIX, allKeys, expandPrefix, shrinkAgainst } from "./stores/keys.js";
export { INLINE_STRING_LIMIT, isInlineValue, recordProblem, type InlineValue } from "./call-record.js";
export type { MetadataFields, MetadataProvider } from "./metadata/provider.js";
export { Runtime } from "./metadata/runtime.js";
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
} from "./errors.js";
export { setLogger, type Logger } from "./log.js";
export { FileStore } from "./stores/file/file-store.js";
export type { FileStoreOptions } from "./stores/file/options.js";
export type { Compression } from "./stores/file/compression.js";
export type { SecretKeyInput } from "./stores/file/signing.js";
export { registerClass, type ClassOptions, type SerializerName } from "./serializers/index.js";
