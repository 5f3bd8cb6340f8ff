/**
 * The active cache and metadata. Each async context sees the cache and metadata providers of its
 * innermost `withCache` / `withMeta` scope (AsyncLocalStorage), or the process-wide ones. `cache(x)` and
 * `meta(...)` switch them in the current scope and return a handle whose `[Symbol.dispose]` restores the
 * previous ones, so `using _ = cache(c)` scopes a block like Python's `with`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ConfigError } from "./errors.js";
import { defaultCache, defaultMetadata, resolveCacheName } from "./config/resolve.js";
import { Tags } from "./metadata/tags.js";
import type { CacheLike } from "./cache-like.js";
import type { JsonValue } from "./call-record.js";
import type { MetadataProvider } from "./metadata/provider.js";

/** The mutable state of one scope. */
interface Frame {
  cache: CacheLike | undefined;
  meta: readonly MetadataProvider[] | undefined;
}

const storage = new AsyncLocalStorage<Frame>();
const processFrame: Frame = { cache: undefined, meta: undefined };

function frame(): Frame {
  return storage.getStore() ?? processFrame;
}

/** A cache, or the name of one (`"memory"`, `"void"`, `"default"` or a configured name). */
export type CacheRef = CacheLike | string;

/** Restores what a switch replaced, when disposed (`using`) or restored explicitly. */
export interface Restore extends Disposable {
  /** Put back what the switch replaced (only if nothing switched again since). */
  restore(): void;
}

/** The handle `cache(x)` returns: the cache now active, and the way back. */
export interface CacheSwitch extends Restore {
  readonly cache: CacheLike;
}

/** The cache a reference stands for. */
export function resolveCache(ref: CacheRef): CacheLike {
  if (typeof ref === "string") return resolveCacheName(ref);
  if (ref && typeof (ref as CacheLike).lookup === "function" && typeof (ref as CacheLike).prepare === "function") return ref;
  throw new ConfigError(`Expected a cache or a cache name, got ${typeof ref === "object" ? "an object that is not a cache" : String(ref)}`);
}

/** The active cache of the current async context. */
export function activeCache(): CacheLike {
  const f = frame();
  return f.cache ?? processFrame.cache ?? defaultCache();
}

/** The active metadata providers (by default: the configured ones, else Runtime). */
export function activeMeta(): readonly MetadataProvider[] {
  const f = frame();
  return f.meta ?? processFrame.meta ?? defaultMetadata();
}

/**
 * `cache()` returns the active cache. `cache(x)` makes `x` active in the current scope and returns a
 * handle that restores the previous cache when disposed: `using _ = cache(myCache)`. Discarding the
 * handle leaves `x` active.
 */
export function cache(): CacheLike;
export function cache(ref: CacheRef): CacheSwitch;
export function cache(ref?: CacheRef): CacheLike | CacheSwitch {
  if (ref === undefined) return activeCache();
  const next = resolveCache(ref);
  const f = frame();
  const previous = f.cache;
  f.cache = next;
  return { cache: next, ...restoring(() => f.cache === next && (f.cache = previous)) };
}

/** Run `fn` with `ref` as the active cache for its whole async context; concurrent scopes never mix. */
export function withCache<T>(ref: CacheRef, fn: () => T): T {
  return storage.run({ cache: resolveCache(ref), meta: frame().meta ?? processFrame.meta }, fn);
}

/** Run `fn` in a scope with exactly this cache and metadata (used by `.bind` and `.rerun`). */
export function withState<T>(state: { cache: CacheLike; meta: readonly MetadataProvider[] }, fn: () => T): T {
  return storage.run({ cache: state.cache, meta: state.meta }, fn);
}

/** Switch the active metadata providers in the current scope; dispose the handle to restore. */
export function meta(...providers: MetadataProvider[]): Restore {
  return switchMeta(providers);
}

/** Add tags to every call recorded in the current scope; dispose the handle to restore. */
export function tags(values: Readonly<Record<string, JsonValue>>): Restore {
  return switchMeta([...activeMeta(), Tags(values)]);
}

/** Tag calls with a project name (`tags({ project: name })`). */
export function project(name: string): Restore {
  return tags({ project: name });
}

/** Run `fn` with these metadata providers. */
export function withMeta<T>(providers: readonly MetadataProvider[], fn: () => T): T {
  return storage.run({ cache: frame().cache ?? processFrame.cache, meta: providers }, fn);
}

/** Run `fn` with extra tags. */
export function withTags<T>(values: Readonly<Record<string, JsonValue>>, fn: () => T): T {
  return withMeta([...activeMeta(), Tags(values)], fn);
}

/** Run `fn` with a project tag. */
export function withProject<T>(name: string, fn: () => T): T {
  return withTags({ project: name }, fn);
}

function switchMeta(providers: readonly MetadataProvider[]): Restore {
  const f = frame();
  const previous = f.meta;
  f.meta = providers;
  return restoring(() => f.meta === providers && (f.meta = previous));
}

function restoring(restore: () => unknown): Restore {
  return { restore: () => void restore(), [Symbol.dispose]: () => void restore() };
}
