/**
 * `fleche(fn, options)`: the wrapper. A call with the same arguments (by content) as an earlier one is
 * served from the active cache without running the body; anything else runs the body once and stores
 * the result. The wrapper stays out of the way: whatever cannot be cached runs uncached with a warning
 * (or throws, with `strict: true`), and the result is always what the body returned.
 */
import { CacheMiss, FlecheError, Indigestible, Rejected, StoreUnavailable } from "./errors.js";
import { digestArgument, isDigest, registerWrapped } from "./digest/index.js";
import { expandReferences, loadReferences } from "./argument-references.js";
import { flightsOf } from "./call-flights.js";
import { isPromise } from "./maybe.js";
import { debugging, logger, warnPerCause } from "./log.js";
import { Call, keyWith } from "./call.js";
import { bindArguments } from "./bind.js";
import { buildProfile, type Profile } from "./profile.js";
import { activeCache, activeMeta, withState } from "./context.js";
import { runPost, runPre, type MetadataFields } from "./metadata/provider.js";
import { Refreshing } from "./caches/refreshing.js";
import { isExpired } from "./caches/expiry.js";
import { MISS, type CacheLike } from "./cache-like.js";
import { CallMemo } from "./call-memo.js";
import { rejectUnknownKeys } from "./known-keys.js";
import { FLECHE_OPTION_KEYS, type FlecheOptions } from "./options.js";
import type { PreparedCall } from "./prepared-call.js";
import type { MapRun } from "./parallel/map-types.js";
import { rejectUnknownFilterKeys } from "./query/template.js";
import { checkLeaseSetting, leaseTimes } from "./leases/settings.js";
import { computeOnce } from "./leases/compute-once.js";
import { explainCall, explainSkipped } from "./explain/explain.js";
import { registerInternals } from "./parallel/internals.js";
import { mapCalls } from "./parallel/map.js";
import { callerPath } from "./module-name.js";
import { FUNCTION_QUERY_KEYS, type AnyFunction, type FlecheHelpers, type Fleched, type FunctionQuery } from "./wrapped.js";

/** Thrown internally when a `require`d argument is missing. */
class MissingRequired extends FlecheError {
  constructor(fname: string, missing: readonly string[]) {
    super(`Missing required arguments for caching ${fname}: [${missing.join(", ")}]`, "FLECHE_REQUIRED");
  }
}

/**
 * Warn about a store failure, unless the store already warned about this outage (a server that is away
 * fails every call until it is back: one warning, not one per call).
 */
function warnOnce(error: unknown, message: string): void {
  if (error instanceof StoreUnavailable && error.reported) logger().debug(message);
  else logger().warn(message);
}

/** A body run in place of the wrapped function's own (on the loaded arguments). */
type Body = (bodyArgs: readonly unknown[]) => Promise<unknown>;

/**
 * Wrap `fn` so its results are cached in the active cache.
 * @example
 * const add = fleche(function add(a: number, b: number) { return a + b; }, { version: 1 });
 * await add(2, 3); // runs the body and stores 5
 * await add(2, 3); // served from the cache
 */
export function fleche<F extends AnyFunction>(fn: F, options: FlecheOptions = {}): Fleched<F> {
  if (typeof fn !== "function") throw new TypeError(`fleche(fn): expected a function, got ${typeof fn}`);
  rejectUnknownKeys(`fleche(${fn.name || "anonymous"})`, options, FLECHE_OPTION_KEYS);
  const profile = buildProfile(fn, options);
  const extraMeta = options.meta ?? [];
  const fname = profile.identity.name;
  const memo = profile.usesThis ? undefined : new CallMemo();
  const leaseOption = checkLeaseSetting(options.lease, `fleche(${fname}): \`lease\``);
  const definedIn = callerPath(); // functions reach worker threads by reference to this file's exports

  /** Bind, digest and key a call; throws Indigestible or MissingRequired. */
  function makeCall(thisArg: unknown, args: readonly unknown[]): Call {
    const bound = bindArguments(profile, thisArg, args);
    if (bound.missing.length) throw new MissingRequired(fname, bound.missing);
    const { names, values } = bound;
    const digests = new Array<string>(names.length);
    let references: boolean[] | undefined;
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      if (isDigest(value)) {
        digests[i] = value.hex;
        (references ??= names.map(() => false))[i] = true;
      } else {
        digests[i] = digestArgument(value, `args.${names[i]}`);
      }
    }
    return new Call(profile.identity, names, values, digests, keyWith(profile.keyer, names, digests), references);
  }

  /** Run the body without the cache, after a reason to do so has been reported (or thrown, if strict). */
  function uncached(reason: Error, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    if (profile.strict) return Promise.reject(reason);
    if (reason instanceof Indigestible) warnPerCause(`${fname}\0${reason.message}`, `No hash for argument of ${fname}: ${reason.message}; running uncached`);
    else warnPerCause(`${fname}\0${reason.message}`, `${reason.message}; running uncached`);
    return new Promise((resolve) => resolve(fn.apply(thisArg, args as unknown[])));
  }

  function invoke(cache: CacheLike, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    let call = memo?.get(args);
    if (!call) {
      for (let i = 0; i < args.length; i++) if (isDigest(args[i])) return invokeWithReferences(cache, thisArg, args);
      try {
        call = makeCall(thisArg, args);
      } catch (error) {
        if (error instanceof Indigestible || error instanceof MissingRequired) return uncached(error, thisArg, args);
        return Promise.reject(error);
      }
      memo?.set(args, call);
    }
    return lookupOrRun(cache, call, thisArg, args);
  }

  /** Top-level `D(...)` arguments key as the value they name; the body receives the loaded values. */
  async function invokeWithReferences(cache: CacheLike, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    const keyArgs = await expandReferences(profile, cache, args);
    let call: Call;
    try {
      call = makeCall(thisArg, keyArgs);
    } catch (error) {
      if (error instanceof Indigestible || error instanceof MissingRequired) {
        return uncached(error, thisArg, await loadReferences(cache, keyArgs));
      }
      throw error;
    }
    return lookupOrRun(cache, call, thisArg, keyArgs);
  }

  function lookupOrRun(cache: CacheLike, call: Call, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    const flights = flightsOf(cache);
    const pending = flights.get(call.key);
    if (pending) return pending;
    let hit: unknown;
    try {
      hit = profile.maxAge === undefined ? cache.lookup(call.key) : lookupFresh(cache, call.key, profile.maxAge);
    } catch (error) {
      return lookupFailed(error, cache, call, thisArg, args);
    }
    if (isPromise(hit)) {
      return hit.then(
        (h) => {
          if (h === MISS) return missed(cache, call, thisArg, args);
          if (debugging()) logger().debug(`Cache hit for ${fname} with key ${call.key}`);
          return h;
        },
        (error) => lookupFailed(error, cache, call, thisArg, args),
      );
    }
    if (hit !== MISS) {
      if (debugging()) logger().debug(`Cache hit for ${fname} with key ${call.key}`);
      return Promise.resolve(hit);
    }
    return missed(cache, call, thisArg, args);
  }

  /** `maxAge`: a stored call older than it is a miss (its record is read first, then its value). */
  async function lookupFresh(cache: CacheLike, key: string, maxAge: number): Promise<unknown> {
    const record = await cache.loadRecord(key);
    if (record === undefined) return MISS;
    if (isExpired(record, maxAge)) {
      if (debugging()) logger().debug(`Stored call of ${fname} with key ${key} is older than maxAge (${maxAge} s)`);
      return MISS;
    }
    return cache.lookup(key);
  }

  function missed(cache: CacheLike, call: Call, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    if (debugging()) logger().debug(`Cache miss for ${fname} with key ${call.key}; running it`);
    return run(cache, call, thisArg, args);
  }

  /** A store that cannot be read (server away, unreadable file) must not break the program. */
  function lookupFailed(error: unknown, cache: CacheLike, call: Call, thisArg: unknown, args: readonly unknown[]): Promise<unknown> {
    if (profile.strict) return Promise.reject(error);
    warnOnce(error, `Cache lookup for ${fname} failed (${(error as Error).message}); running uncached`);
    return loadReferences(cache, args).then((bodyArgs) => fn.apply(thisArg, bodyArgs));
  }

  /**
   * A miss: one execution per process (the flight), and one across processes when the cache offers
   * leases (the holder computes, the others wait for its record; docs/leases.md).
   */
  function run(cache: CacheLike, call: Call, thisArg: unknown, args: readonly unknown[], body?: Body): Promise<unknown> {
    const flights = flightsOf(cache);
    const leasing = leaseOption === false ? undefined : cache.leasing?.();
    const times = leasing && leaseTimes(leasing.options, leaseOption);
    const execution = (
      leasing && times
        ? computeOnce({
            leases: leasing.leases,
            times,
            key: call.key,
            label: fname,
            lookup: () => cache.lookup(call.key),
            contains: () => cache.contains(call.key),
            compute: () => execute(cache, call, thisArg, args, body),
          })
        : execute(cache, call, thisArg, args, body)
    ).finally(() => flights.delete(call.key));
    flights.set(call.key, execution);
    return execution;
  }

  /** `body` runs in place of `fn` (`f.map` runs the body elsewhere and commits here). */
  async function execute(cache: CacheLike, call: Call, thisArg: unknown, args: readonly unknown[], body?: Body): Promise<unknown> {
    const bodyArgs = await loadReferences(cache, args);
    const providers = extraMeta.length ? [...activeMeta(), ...extraMeta] : activeMeta();
    let prepared: PreparedCall | undefined;
    let states: MetadataFields[] = [];
    try {
      states = await runPre(providers, call);
      prepared = await cache.prepare(call);
    } catch (error) {
      if (profile.strict) throw error;
      warnOnce(error, `Cannot prepare ${fname} for caching (${(error as Error).message}); running uncached`);
    }
    let result: unknown;
    try {
      result = await (body ? body(bodyArgs) : fn.apply(thisArg, bodyArgs));
    } catch (error) {
      prepared?.abandon();
      throw error;
    }
    if (result === undefined) {
      prepared?.abandon();
      warnPerCause(`${fname}\0undefined`, `${fname} returned undefined, not caching`);
      if (cache instanceof Refreshing) await evictStale(cache, call.key);
      return result;
    }
    if (prepared) await commit(prepared, providers, states, call, result);
    return result;
  }

  async function commit(
    prepared: PreparedCall,
    providers: Parameters<typeof runPost>[0],
    states: MetadataFields[],
    call: Call,
    result: unknown,
  ): Promise<void> {
    try {
      await prepared.commit(result, await runPost(providers, states, call, result));
    } catch (error) {
      if (profile.strict) throw error;
      if (error instanceof Rejected) logger().warn(`Cache rejected save: ${error.message}`);
      else warnOnce(error, `Could not save ${fname} (${(error as Error).message}); the result is returned uncached`);
    }
  }

  async function evictStale(cache: Refreshing, key: string): Promise<void> {
    try {
      await cache.evict(key);
    } catch (error) {
      logger().warn(`Cache rejected evict: ${(error as Error).message}`);
    }
  }

  const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    return invoke(activeCache(), this, args);
  };

  async function keyedCall(thisArg: unknown, args: readonly unknown[]): Promise<Call> {
    const cache = activeCache();
    return makeCall(thisArg, await expandReferences(profile, cache, args));
  }

  const helpers: FlecheHelpers<F> = {
    async digest(this: unknown, ...args) {
      return (await keyedCall(this, args)).key;
    },
    call(this: unknown, ...args) {
      return keyedCall(this, args);
    },
    async load(this: unknown, ...args): Promise<Awaited<ReturnType<F>>> {
      let call: Call;
      try {
        call = await keyedCall(this, args);
      } catch (error) {
        // A call without its required arguments is never cached: a plain miss, not an internal error. It
        // has no key to report (it is never keyed), hence the empty one.
        if (error instanceof MissingRequired) throw new CacheMiss("", `${error.message}; such a call is never cached`);
        throw error;
      }
      const hit = await activeCache().lookup(call.key);
      if (hit === MISS) throw new CacheMiss(call.key, `${fname}: no stored result for this call (key ${call.key})`);
      return hit as Awaited<ReturnType<F>>;
    },
    async contains(this: unknown, ...args) {
      let call: Call;
      try {
        call = await keyedCall(this, args);
      } catch (error) {
        // Such a call runs uncached every time, so no record of it can be stored.
        if (error instanceof MissingRequired) return false;
        throw error;
      }
      return activeCache().contains(call.key);
    },
    rerun(this: unknown, ...args) {
      const refreshing = new Refreshing(activeCache());
      return withState({ cache: refreshing, meta: activeMeta() }, () => invoke(refreshing, this, args)) as Promise<
        Awaited<ReturnType<F>>
      >;
    },
    async explain(this: unknown, ...args) {
      let call: Call;
      try {
        call = await keyedCall(this, args);
      } catch (error) {
        if (error instanceof Indigestible || error instanceof MissingRequired) return explainSkipped(fname, error, profile.strict);
        throw error;
      }
      return explainCall(activeCache(), call);
    },
    query(filter: FunctionQuery = {}) {
      rejectUnknownFilterKeys(`${fname}.query()`, filter, FUNCTION_QUERY_KEYS);
      const { identity } = profile;
      const version = "version" in filter ? filter.version : identity.version;
      return activeCache().query({
        name: identity.name,
        module: identity.module,
        ...(version === undefined ? {} : { version }),
        ...(identity.codeDigest === null ? {} : { codeDigest: identity.codeDigest }),
        ...(filter.args ? { args: filter.args } : {}),
        ...(filter.metadata ? { metadata: filter.metadata } : {}),
        ...(filter.result === undefined ? {} : { result: filter.result }),
      });
    },
    bind(...bound: unknown[]) {
      const state = { cache: activeCache(), meta: activeMeta() };
      return function (this: unknown, ...rest: unknown[]) {
        return withState(state, () => invoke(state.cache, this, [...bound, ...rest])) as Promise<Awaited<ReturnType<F>>>;
      };
    },
    map(argsList, options) {
      return mapCalls(wrapped, argsList, options) as MapRun<Awaited<ReturnType<F>>>;
    },
    original: fn,
  };

  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, "length", { value: fn.length, configurable: true });
  for (const [key, value] of Object.entries(helpers)) {
    Object.defineProperty(wrapped, key, { value, enumerable: false, configurable: true });
  }
  Object.defineProperty(wrapped, "fleche", { value: Object.freeze({ ...helpers }), enumerable: false });
  registerWrapped(wrapped, fn);
  registerInternals(wrapped, {
    name: fname,
    module: profile.identity.module,
    file: definedIn,
    original: fn,
    expand: (cache, args) => (args.some(isDigest) ? expandReferences(profile, cache, args) : args),
    call(args) {
      let call = memo?.get(args);
      if (!call) {
        call = makeCall(undefined, args);
        if (!args.some(isDigest)) memo?.set(args, call);
      }
      return call;
    },
    lookup: (cache, call) => (profile.maxAge === undefined ? cache.lookup(call.key) : lookupFresh(cache, call.key, profile.maxAge)),
    invoke: (cache, call, args) => lookupOrRun(cache, call, undefined, args),
    runWith: (cache, call, args, body) => flightsOf(cache).get(call.key) ?? run(cache, call, undefined, args, body),
  });
  return wrapped as unknown as Fleched<F>;
}

/** The profile of a wrapped function (exported for tests and tools). */
export type { Profile };
