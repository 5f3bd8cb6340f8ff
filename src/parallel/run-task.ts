/**
 * Run one {@link CallTask} in this process: the receiving end of every executor (a worker thread, a queue
 * worker). The wrapped function is found by reference, the task's cache and metadata are made active, and
 * the call goes through the wrapper's normal path (lookup, leases, metadata, commit), so digests and
 * serialisation happen here, not on the submitting side.
 */
import { FlecheError } from "../errors.js";
import { cacheFromConfig } from "../config/build.js";
import { resolveCache, withState } from "../context.js";
import { metadataFromDescription } from "../metadata/registry.js";
import { internalsOf } from "./internals.js";
import { resolveReference } from "./resolve.js";
import { decodeTaskArgs } from "./task-args.js";
import type { CacheConfig, CacheLike } from "../cache-like.js";
import type { MetadataProvider } from "../metadata/provider.js";
import type { CallTask } from "./task.js";

/** One cache per distinct config per process, reused by every task (store handles, leases, pools). */
const caches = new Map<string, CacheLike>();
const metadata = new Map<string, MetadataProvider[]>();

/** The cache object this process uses for tasks with `config` (also for a queue worker's own lookups). */
export function taskCache(config: CacheConfig): CacheLike {
  const id = JSON.stringify(config, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  let cache = caches.get(id);
  if (!cache) caches.set(id, (cache = cacheFromConfig(config, "the task's cache")));
  return cache;
}

function metadataFor(description: CallTask["meta"]): MetadataProvider[] {
  const id = JSON.stringify(description);
  let providers = metadata.get(id);
  if (!providers) metadata.set(id, (providers = metadataFromDescription(description, "the task's metadata")));
  return providers;
}

/**
 * Run `task` here and return its result. `modules` are namespaces already imported, searched when the
 * function's module URL does not exist in this process. With a travelling cache the call is looked up
 * and committed in it; with `cache: null` only the body runs (the submitting side files the result), and
 * cached calls the body makes use a memory cache of this process. Throws a `FLECHE_REMOTE` error when the
 * function cannot be found or keys the call differently from the submitter (different code on the two
 * sides).
 */
export async function runTask(task: CallTask, modules?: readonly object[]): Promise<unknown> {
  const wrapped = await resolveReference(task.fn, modules);
  const internals = internalsOf(wrapped)!; // resolveReference returns wrapped functions only
  const args = decodeTaskArgs(task.args);
  const meta = metadataFor(task.meta);
  if (task.cache === null) {
    return withState({ cache: resolveCache("memory"), meta }, () => internals.original(...args));
  }
  const cache = taskCache(task.cache);
  const call = internals.call(args); // keyed once: the same call goes through the wrapper's path below
  const key = call.key;
  if (key !== task.key) {
    throw new FlecheError(
      `${task.fn.name} keys this call as ${key} here, but the submitting side keyed it as ${task.key}: ` +
        `the two sides run different code or configuration (version, options, fleche release)`,
      "FLECHE_REMOTE",
    );
  }
  return withState({ cache, meta }, () => internals.invoke(cache, call, args));
}
