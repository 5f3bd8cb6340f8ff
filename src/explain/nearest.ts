/**
 * The stored calls of a function nearest to a probe, found with the query push-down rather than a scan:
 * the calls that share every argument digest (identity changed), then those that share all but one, then
 * those sharing any single argument, and the latest call of the function. Each query is an index lookup
 * on stores that push queries down (by name, then by argument digest) and reads a few records only.
 */
import { inlineValueOf, type CallRecord } from "../call-record.js";
import { describeDifference } from "./difference.js";
import type { CacheCore } from "../cache-core.js";
import type { RecordTemplate } from "../query/template.js";
import type { ArgumentDifference, IdentityDifference, Neighbour } from "./report.js";
import type { Probe } from "./probe.js";

/** Records read per candidate query. */
const PER_QUERY = 8;

/** The `limit` stored calls of `probe.name` nearest to `probe`, nearest first (ties: newest first). */
export async function nearestCalls(cache: CacheCore, probe: Probe, limit = 3): Promise<Neighbour[]> {
  const candidates = new Map<string, CallRecord>();
  const names = probe.args.map((a) => a.name);
  const digestsOf = (kept: readonly string[]) => Object.fromEntries(probe.args.filter((a) => kept.includes(a.name)).map((a) => [a.name, a.digest]));
  const gather = async (template: RecordTemplate) => {
    let n = 0;
    for await (const record of cache.records(template)) {
      if (record.key !== probe.key && record.key !== probe.storedKey) candidates.set(record.key, record);
      if (++n >= PER_QUERY) break;
    }
  };
  if (names.length) await gather({ name: probe.name, args: digestsOf(names) });
  if (names.length > 1) for (const left of names) await gather({ name: probe.name, args: digestsOf(names.filter((n) => n !== left)) });
  if (bestDistance(probe, candidates) > 1) for (const name of names) await gather({ name: probe.name, args: digestsOf([name]) });
  const latest = cache.latestRecord ? await cache.latestRecord({ name: probe.name }, "latest") : undefined;
  if (latest && latest.key !== probe.key && latest.key !== probe.storedKey) candidates.set(latest.key, latest);
  if (candidates.size === 0) await gather({ name: probe.name });

  const ranked = [...candidates.values()]
    .map((record) => ({ record, identity: identityDifferences(probe, record), args: argumentChanges(probe, record) }))
    .sort((a, b) => a.identity.length + a.args.length - (b.identity.length + b.args.length) || stop(b.record) - stop(a.record))
    .slice(0, limit);
  const out: Neighbour[] = [];
  for (const { record, identity, args } of ranked) {
    const detailed = await Promise.all(args.map((change) => withDetail(cache, probe, record, change)));
    out.push({ record, identity, arguments: detailed, distance: identity.length + detailed.length });
  }
  return out;
}

function bestDistance(probe: Probe, candidates: ReadonlyMap<string, CallRecord>): number {
  let best = Infinity;
  for (const record of candidates.values()) best = Math.min(best, identityDifferences(probe, record).length + argumentChanges(probe, record).length);
  return best;
}

/** Identity components that differ, among those the probe knows. */
export function identityDifferences(probe: Probe, record: CallRecord): IdentityDifference[] {
  const out: IdentityDifference[] = [];
  if (probe.module !== undefined && probe.module !== record.module) out.push({ component: "module", stored: record.module, probe: probe.module });
  if (probe.version !== undefined && probe.version !== record.version) out.push({ component: "version", stored: record.version, probe: probe.version });
  if (probe.codeDigest !== undefined && probe.codeDigest !== record.codeDigest) {
    out.push({ component: "codeDigest", stored: record.codeDigest, probe: probe.codeDigest });
  }
  return out;
}

/** Arguments that differ by digest, in the probe's parameter order, then those only the record has. */
function argumentChanges(probe: Probe, record: CallRecord): ArgumentDifference[] {
  const out: ArgumentDifference[] = [];
  for (const arg of probe.args) {
    const stored = record.arguments[arg.name];
    if (stored === undefined) out.push({ name: arg.name, change: "added", probeDigest: arg.digest });
    else if (stored !== arg.digest) out.push({ name: arg.name, change: "changed", storedDigest: stored, probeDigest: arg.digest });
  }
  if (probe.partial) return out;
  for (const [name, stored] of Object.entries(record.arguments)) {
    if (!probe.args.some((a) => a.name === name)) out.push({ name, change: "removed", storedDigest: stored });
  }
  return out;
}

/** A changed argument with the short description of its values, when both load. */
async function withDetail(cache: CacheCore, probe: Probe, record: CallRecord, change: ArgumentDifference): Promise<ArgumentDifference> {
  if (change.change !== "changed") return change;
  const arg = probe.args.find((a) => a.name === change.name);
  if (!arg?.hasValue) return change;
  const stored = await storedValue(cache, record, change.storedDigest!);
  if (stored === Unavailable) return change;
  return { ...change, detail: describeDifference(stored, arg.value) };
}

const Unavailable: unique symbol = Symbol("unavailable");

async function storedValue(cache: CacheCore, record: CallRecord, digest: string): Promise<unknown> {
  const inline = inlineValueOf(record, digest);
  if (inline !== undefined) return inline;
  try {
    return await cache.loadValue(digest);
  } catch {
    return Unavailable; // gone or unreadable: the digests still tell that it differs
  }
}

function stop(record: CallRecord): number {
  const t = record.metadata.runtime?.timestop;
  return typeof t === "number" ? t : -Infinity;
}
