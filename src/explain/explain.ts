/**
 * "Why was this a miss?": the report for one call in one cache. In order: is caching skipped for the
 * call; is a record stored under its key (then: does its result load, or is it pending); does a view
 * hide a stored record; is any call of the function stored (else: similar names); which stored calls
 * are nearest and what differs. Reads records through the query push-down and loads only the values of
 * the arguments it describes.
 */
import { CacheMiss } from "../errors.js";
import { inlineValueOf } from "../call-record.js";
import { CacheView } from "../caches/view.js";
import { Filtered } from "../caches/filtered.js";
import { isReadOnly } from "../caches/read-only-mark.js";
import { catalogOf } from "../catalog/of.js";
import { nearestCalls } from "./nearest.js";
import { similarNames } from "./similar.js";
import { renderExplanation } from "./render.js";
import { probeOfCall, type Probe } from "./probe.js";
import type { CacheLike } from "../cache-like.js";
import type { Call } from "../call.js";
import type { Explanation, Skipped } from "./report.js";

/** The report without its text. */
type Draft = Omit<Explanation, "text">;

function finish(draft: Draft): Explanation {
  return { ...draft, text: renderExplanation(draft) };
}

/** The report for a call that is never cached: `error` is what the wrapper warns with (or throws, if strict). */
export function explainSkipped(name: string, error: Error & { readonly code?: string }, strict: boolean): Explanation {
  const skipped: Skipped = { reason: error.code === "FLECHE_REQUIRED" ? "missing-required" : "indigestible", message: error.message, strict };
  const why = skipped.reason === "indigestible" ? "an argument cannot be digested" : "a required argument is missing";
  const what = strict ? "the call throws (strict)" : "the call runs uncached every time";
  return finish({ name, key: null, verdict: "skipped", summary: `Caching is skipped: ${why}, so ${what}.`, readOnly: false, skipped });
}

/** The report for a bound call from the wrapper (`f.explain(...)`). */
export function explainCall(cache: CacheLike, call: Call): Promise<Explanation> {
  return explainProbe(cache, probeOfCall(call));
}

/** The report for `probe` in `cache`. */
export async function explainProbe(cache: CacheLike, probe: Probe): Promise<Explanation> {
  const base = { name: probe.name, key: probe.key ?? probe.storedKey ?? null, readOnly: isReadOnly(cache) };
  const label = `${probe.name}${probe.key ? ` (key ${probe.key.slice(0, 12)})` : ""}`;
  if (probe.key) {
    const record = await cache.loadRecord(probe.key);
    if (record) {
      if (record.result === null) return finish({ ...base, verdict: "pending", summary: `A record of ${label} is stored without a result: it is being computed, or its writer stopped before committing.` });
      const problem = await resultProblem(cache, record.result, inlineValueOf(record, record.result) !== undefined);
      if (problem !== undefined) {
        return finish({
          ...base,
          verdict: "unreadable",
          summary: `A record of ${label} is stored, but its result value ${record.result.slice(0, 12)} cannot be loaded, so the call runs again.`,
          unreadable: { result: record.result, problem },
        });
      }
      return finish({ ...base, verdict: "hit", summary: `${label} is stored and its result loads: the call is a hit.` });
    }
    const hiddenBy = await hidingView(cache, probe.key);
    if (hiddenBy) return finish({ ...base, verdict: "hidden", summary: `${label} is stored, but ${hiddenBy} leaves it out, so this cache misses it.` });
  }
  const nearest = await nearestCalls(cache, probe);
  if (probe.storedKey) {
    const closest = nearest[0];
    if (!closest) return finish({ ...base, verdict: "alone", summary: `No other call of ${probe.name} is stored to compare call ${probe.storedKey.slice(0, 12)} with.` });
    const counted = `${closest.distance} difference${closest.distance === 1 ? "" : "s"}`;
    return finish({ ...base, verdict: "differs", summary: `Stored call ${probe.storedKey.slice(0, 12)} of ${probe.name}: the nearest other stored call has ${counted}.`, nearest });
  }
  if (nearest.length === 0) {
    const similar = similarNames(probe.name, await catalogOf(cache).names());
    const hint = similar.length ? ` Similar names: ${similar.join(", ")}.` : "";
    return finish({ ...base, verdict: "unknown-function", summary: `No call of ${probe.name} is stored in this cache.${hint}`, similarNames: similar });
  }
  const closest = nearest[0]!;
  if (!probe.key && closest.arguments.length === 0) {
    return finish({
      ...base,
      verdict: "arguments-stored",
      summary: `A call of ${probe.name} with these arguments is stored (key ${closest.record.key.slice(0, 12)}); if a call misses it, its function identity (module, version, code) differs.`,
      nearest,
    });
  }
  const counted = `${closest.distance} difference${closest.distance === 1 ? "" : "s"}`;
  return finish({ ...base, verdict: "differs", summary: `No stored call of ${probe.name} has this key; the nearest one has ${counted}.`, nearest });
}

/** Why the result value cannot be loaded, or undefined when it loads. */
async function resultProblem(cache: CacheLike, result: string, inline: boolean): Promise<string | undefined> {
  if (inline) return undefined;
  try {
    await cache.loadValue(result);
    return undefined;
  } catch (error) {
    if (error instanceof CacheMiss) return error.message;
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** The description of a filtered view between `cache` and a cache holding `key`, or undefined. */
async function hidingView(cache: CacheLike, key: string): Promise<string | undefined> {
  let filter: string | undefined;
  for (let c: CacheLike = cache; c instanceof CacheView; c = c.inner) {
    if (c instanceof Filtered) filter ??= "the filtered view";
    if (filter && (await c.inner.loadRecord(key))) return filter;
  }
  return undefined;
}
