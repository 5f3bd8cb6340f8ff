/**
 * `fleche/store-kit`: what a store author needs beyond the root entry. The store contract
 * (`ValueStore`, `CallStore`), the registry a config file names stores through, the key helpers that
 * make prefix lookup and shortest-unique display behave like the built-in stores, the call-record helpers
 * (inline values, record validation), the query template a call store may push down, and the other
 * extension registries (metadata providers, eviction policies, cache templates).
 *
 * Prove a store with the conformance suites of `fleche/testing`; `docs/store-authors.md` walks through it.
 * Nothing here is needed to *use* fleche, which is why it is not in the root entry.
 *
 * @module fleche/store-kit
 */

// The store contract.
export type {
  CallStore,
  KeyStream,
  RawEntries,
  ResultRef,
  Store,
  StoreConfig,
  ValueStore,
  VerifyOptions,
  VerifyReport,
} from "./stores/types.js";
export type { CallCatalog, FunctionCount, FunctionTally, RuntimePoint, ValueReference } from "./stores/catalog.js";
export { leasesOf, type LeaseAttempt, type LeaseInfo, type LeaseOwner, type Leases } from "./stores/leases.js";
export {
  checkOptions,
  registerStore,
  storeDescriptors,
  storeTypes,
  type StoreContext,
  type StoreDescriptor,
  type StoreFactory,
  type StoreOption,
  type StoreOptionTable,
  type StoreRole,
} from "./stores/registry.js";
export { configFromSettings, optionsFromConfig } from "./stores/descriptor.js";

// Keys: digests, prefixes, shortest unique forms.
export { DIGEST_LENGTH, isDigest, type FunctionIdentity } from "./digest/index.js";
export { MIN_PREFIX, allKeys, expandPrefix, shrinkAgainst } from "./stores/keys.js";
export { countReuses } from "./stores/reuses.js";

// Call records: what a call store holds.
export {
  INLINE_STRING_LIMIT,
  inlineValueOf,
  isInlineValue,
  recordProblem,
  type InlineEntry,
  type InlineValue,
  type MetadataNamespace,
  type Version,
} from "./call-record.js";
export { Call, THIS } from "./call.js";
export { LazyCall } from "./lazy-call.js";
export { PreparedCall } from "./prepared-call.js";
export { isNumericArray, type NumericArray } from "./ndarray.js";

// Queries a call store can push down (`records(template)`).
export { matchesRecord, toTemplate, type RecordTemplate } from "./query/template.js";
export { OPERATORS, type Operator } from "./query/metadata-filter.js";
export type { CallKey, CallSource } from "./query/query.js";

// The core a stored call or a query talks to (`MISS` is a lookup's "not there").
export { MISS, type CacheConfig, type CacheCore } from "./cache-core.js";
export type { Leasing } from "./leases/leasing.js";

// The other extension registries.
export { metadataFromNames, metadataNames, registerMetadata } from "./metadata/registry.js";
export { evictionNames, registerEviction, type EvictionPolicy, type EvictionPolicyFactory } from "./caches/eviction.js";
export { sizeOf } from "./caches/size-limited.js";
export { registerTemplate, templateNames, type TemplateExpander, type TemplateExpansion } from "./config/templates.js";
