/**
 * `f.map(argsList, options)`: many calls of one wrapped function, the misses run elsewhere. Every call is
 * keyed and looked up here, in the calling thread, through the wrapper's own lookup (so `maxAge` and
 * views apply); hits are served at once and never dispatched. Each distinct missed call becomes one
 * {@link CallTask} for the executor (a pool of worker threads by default):
 *
 * - when the active cache travels (it has a config over shared storage), the task carries it and the
 *   other side runs the call through the wrapper's normal path: lookup, leases, metadata, commit, so
 *   digests and serialisation run in parallel there;
 * - when it does not (memory stores), the other side runs the body only, and this thread files the
 *   result through the wrapper's own miss path (leases, metadata, commit) as a direct call would.
 *
 * Calls the map cannot key (an argument without a digest, a missing required one) run as a plain call
 * here, exactly as `f(...args)` would.
 */
import { ConfigError, FlecheError } from "../errors.js";
import { MISS, type CacheLike } from "../cache-like.js";
import { activeCache, activeMeta, withState } from "../context.js";
import { isPromise } from "../maybe.js";
import { rejectUnknownKeys, keysOf } from "../known-keys.js";
import { describeMetadata } from "../metadata/description.js";
import { internalsOf, type WrappedInternals } from "./internals.js";
import { referenceOf } from "./reference.js";
import { importingTaskModule } from "./importing.js";
import { encodeTaskArgs } from "./task-args.js";
import { travellingConfig } from "./travel.js";
import { defaultThreads } from "./threads.js";
import { settlements } from "./settlements.js";
import type { Call } from "../call.js";
import type { JsonValue } from "../call-record.js";
import type { MetadataProvider } from "../metadata/provider.js";
import type { Executor, TaskResult } from "./executor.js";
import type { CallTask } from "./task.js";
import type { MapOptions, MapProgress, MapRun } from "./map-types.js";

/** Every key {@link MapOptions} accepts. */
const MAP_OPTION_KEYS = keysOf<MapOptions>()(["concurrency", "signal", "onProgress", "executor"]);

/** A distinct missed call: the entries waiting for it, and whether it was dispatched. */
interface Miss {
  readonly indices: number[];
  readonly call: Call;
  readonly args: readonly unknown[];
  started: boolean;
}

/** What every task of one map shares: where the function, the cache and the metadata come from. */
interface Plan {
  readonly executor: Executor;
  readonly fn: CallTask["fn"];
  readonly config: CallTask["cache"];
  readonly meta: JsonValue;
}

/** Run the calls `argsList` of `wrapped` (see the file comment); the entry behind every `f.map`. */
export function mapCalls(wrapped: Function, argsList: Iterable<readonly unknown[]>, options: MapOptions = {}): MapRun<unknown> {
  const internals = internalsOf(wrapped);
  if (!internals) throw new TypeError("mapCalls: not a wrapped function");
  const label = `${internals.name}.map()`;
  if (importingTaskModule()) {
    throw new FlecheError(
      `${label} was called while a worker imported the module that defines a task's function: that module's top-level code ` +
        `runs again in every worker, and a map there would start workers without end. Run the sweep from another module, ` +
        `or behind \`if (isMainThread)\` (node:worker_threads)`,
      "FLECHE_REMOTE",
    );
  }
  rejectUnknownKeys(label, options, MAP_OPTION_KEYS);
  const { concurrency, signal, onProgress, executor } = options;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new ConfigError(`${label}: \`concurrency\` must be a whole number ≥ 1, got ${String(concurrency)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ConfigError(`${label}: \`signal\` must be an AbortSignal`);
  if (onProgress !== undefined && typeof onProgress !== "function") throw new ConfigError(`${label}: \`onProgress\` must be a function`);
  if (executor !== undefined && (typeof executor !== "object" || executor === null || typeof executor.run !== "function")) {
    throw new ConfigError(`${label}: \`executor\` must be an Executor (e.g. threads())`);
  }
  const list = Array.from(argsList, (args, i) => {
    if (!Array.isArray(args)) throw new ConfigError(`${label}: entry ${i} must be an array of arguments, got ${typeof args}`);
    return args as readonly unknown[];
  });
  const state = { cache: activeCache(), meta: activeMeta() }; // as `bind` does: the scope of the call to map
  const board = settlements(list.length);
  const counts = { total: list.length, done: 0, cached: 0, running: 0, failed: 0 };
  const report = () => onProgress?.({ ...counts } satisfies MapProgress);
  const call = (args: readonly unknown[]) => withState(state, () => (wrapped as (...a: unknown[]) => Promise<unknown>)(...args));
  // Counted at once, so the counts reported next include the entry.
  const fulfil = (index: number, value: unknown) => {
    if (board.settled(index)) return;
    counts.done++;
    board.settle(index, true, value);
  };
  const fail = (index: number, reason: unknown) => {
    if (board.settled(index)) return;
    counts.failed++;
    board.settle(index, false, reason);
  };

  /**
   * Look every call up in input order, serving the hits, and dispatch each distinct miss as it is found,
   * `concurrency` at a time. Never throws: every problem settles the entries it concerns.
   */
  async function drive(): Promise<void> {
    const cache = state.cache;
    const aborted = signal ?? new AbortController().signal;
    if (aborted.aborted) {
      list.forEach((_, i) => fail(i, aborted.reason));
      return report();
    }
    let plan: Plan;
    try {
      plan = await planFor(internals!, wrapped, state, executor ?? defaultThreads(), label);
    } catch (error) {
      list.forEach((_, i) => fail(i, error));
      return report();
    }
    const misses = new Map<string, Miss>();
    const queue: Miss[] = []; // distinct misses in input order, dispatched from `next` on
    let next = 0;
    let running = 0;
    const limit = concurrency ?? plan.executor.concurrency;
    /** Dispatch queued misses while slots are free (called as misses are found and as tasks settle). */
    const pump = () => {
      while (running < limit && next < queue.length) {
        const miss = queue[next++]!;
        if (aborted.aborted) {
          for (const i of miss.indices) fail(i, aborted.reason);
          report();
          continue;
        }
        running++;
        miss.started = true;
        counts.running += miss.indices.length;
        report();
        const settled = (ok: boolean, value: unknown) => {
          running--;
          counts.running -= miss.indices.length;
          for (const i of miss.indices) (ok ? fulfil : fail)(i, value);
          report();
          pump();
        };
        dispatch(plan, internals!, state, miss, aborted).then(
          (value) => settled(true, value),
          (error: unknown) => settled(false, error),
        );
      }
    };
    /** Not keyable, or the lookup failed: the wrapper decides, exactly as for `f(...args)`. */
    const direct = (i: number) => {
      counts.running++;
      call(list[i]!).then(
        (value) => {
          counts.running--;
          fulfil(i, value);
          report();
        },
        (error: unknown) => {
          counts.running--;
          fail(i, error);
          report();
        },
      );
    };
    // Look every call up in input order; misses are dispatched as they are found, so slow lookups (a
    // remote store) overlap with the work.
    for (let i = 0; i < list.length; i++) {
      let keyed: Call;
      let expanded: readonly unknown[];
      let hit: unknown;
      try {
        const maybeExpanded = internals!.expand(cache, list[i]!);
        expanded = isPromise(maybeExpanded) ? await maybeExpanded : maybeExpanded;
        keyed = internals!.call(expanded);
      } catch {
        direct(i);
        continue;
      }
      const miss = misses.get(keyed.key);
      if (miss) {
        miss.indices.push(i); // the same call twice in one map runs once
        if (miss.started) counts.running++;
        continue;
      }
      try {
        const found = internals!.lookup(cache, keyed);
        hit = isPromise(found) ? await found : found;
      } catch {
        direct(i);
        continue;
      }
      if (hit === MISS) {
        const found: Miss = { indices: [i], call: keyed, args: expanded, started: false };
        misses.set(keyed.key, found);
        queue.push(found);
        pump();
      } else {
        counts.cached++;
        fulfil(i, hit);
      }
    }
    report();
  }

  // A fault of the map itself (not of a call) still settles every entry, never a stray rejection.
  drive().catch((error: unknown) => list.forEach((_, i) => fail(i, error)));
  return board.run;
}

/** Everything checked before anything is dispatched: the reference, the cache, the metadata. */
async function planFor(
  internals: WrappedInternals,
  wrapped: Function,
  state: { cache: CacheLike; meta: readonly MetadataProvider[] },
  executor: Executor,
  label: string,
): Promise<Plan> {
  const fn = await referenceOf(wrapped);
  const config = travellingConfig(state.cache);
  if (config === null && executor.needsSharedCache) {
    throw new FlecheError(
      `${label}: ${executor.name} returns results through the cache, but the active cache cannot travel (it keeps calls in ` +
        `this process's memory, or has no config): use a cache over shared storage (files, SQL, S3) for ${internals.name}`,
      "FLECHE_REMOTE",
    );
  }
  // With a cache that stays home, metadata is recorded here, where the result is filed.
  const meta = config === null ? [] : describeMetadata(state.meta);
  return { executor, fn, config, meta };
}

/** Run one distinct miss on the executor and bring its result back (filing it here when the cache stays home). */
function dispatch(
  plan: Plan,
  internals: WrappedInternals,
  state: { cache: CacheLike; meta: readonly MetadataProvider[] },
  miss: Miss,
  signal: AbortSignal,
): Promise<unknown> {
  const { call } = miss;
  const task = (args: readonly unknown[]): CallTask => ({ fn: plan.fn, args: encodeTaskArgs(args), key: call.key, cache: plan.config, meta: plan.meta });
  if (plan.config === null) {
    return withState(state, () =>
      internals.runWith(state.cache, call, miss.args, async (bodyArgs) => valueOf(await plan.executor.run(task(bodyArgs), signal), internals, state.cache, call)),
    );
  }
  // Through a promise, so an executor that throws instead of rejecting fails this call only.
  return new Promise<TaskResult>((resolve) => resolve(plan.executor.run(task(miss.args), signal))).then((result) => valueOf(result, internals, state.cache, call));
}

/** The result a task handed back, or the one it stored in the shared cache. */
async function valueOf(result: TaskResult, internals: WrappedInternals, cache: CacheLike, call: Call): Promise<unknown> {
  if ("value" in result) return result.value;
  const found = await internals.lookup(cache, call);
  if (found === MISS) {
    throw new FlecheError(`${internals.name}: the executor reports the call ${call.key} stored, but the active cache has no result for it`, "FLECHE_REMOTE");
  }
  return found;
}
