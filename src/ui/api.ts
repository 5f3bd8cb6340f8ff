/**
 * The UI's JSON endpoints. Every list is paged or bounded in the catalog (an index on SQL), so no
 * request reads every record of a large cache, except `/api/storage`, which is `fleche stats`.
 *
 * | endpoint | answers |
 * |---|---|
 * | `GET /api/info` | the cache's config, whether eviction is allowed |
 * | `GET /api/functions` | one count per function (calls, oldest, newest): index lookups on SQL |
 * | `GET /api/tallies` | the counts with total and median runtimes (reads every call's runtime) |
 * | `GET /api/storage` | `fleche stats`: value bytes by function (own, shared), stores |
 * | `GET /api/calls?filters&offset&limit` | one page of rows, newest first, and whether more follow |
 * | `GET /api/count?filters` | how many calls match |
 * | `GET /api/runtimes?filters&limit` | runtime points of the newest matching calls |
 * | `GET /api/call/KEY` | one call in full: values described, metadata, the comparison with its nearest neighbour |
 * | `POST /api/call/KEY/evict` | remove the call's record (only with `--allow-evict`) |
 */
import { CacheMiss, FlecheError } from "../errors.js";
import { toTemplate } from "../query/template.js";
import { catalogOf } from "../catalog/of.js";
import { cacheStats } from "../stats/stats.js";
import { storesOf } from "../stats/stores.js";
import { explainProbe } from "../explain/explain.js";
import { filterFromParams, intParam } from "./filters.js";
import { rowOf } from "./rows.js";
import { viewValue } from "./values.js";
import type { CacheLike } from "../cache-like.js";
import type { ProbeArgument } from "../explain/probe.js";

/** A JSON answer. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The API over one cache. */
export interface Api {
  /** Answer `method path?query`, or undefined when no endpoint has that path. */
  answer(method: string, url: URL): Promise<ApiAnswer | undefined>;
}

/** Rows per page at most. */
export const MAX_PAGE = 500;
/** How long the runtimes and storage answers are reused, in milliseconds. */
export const RECENT_MS = 60_000;
/** Runtime points per plot at most. */
export const MAX_POINTS = 20_000;

/** The API over `cache`; `allowEvict` enables the one endpoint that changes it. */
export function createApi(cache: CacheLike, options: { readonly allowEvict: boolean }): Api {
  const catalog = catalogOf(cache);
  const valueStores = storesOf(cache).flatMap((s) => (s.role === "values" ? [s.store] : []));
  const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

  // The two answers that read every record (runtimes, storage) are computed once at a time and kept
  // for RECENT_MS: a page reloaded, or opened in several tabs, does not start them again.
  const answers = new Map<string, { readonly at: number; readonly answer: Promise<unknown> }>();
  function recent<T>(name: string, compute: () => Promise<T> | T): Promise<T> {
    const kept = answers.get(name);
    if (kept && Date.now() - kept.at < RECENT_MS) return kept.answer as Promise<T>;
    const answer = Promise.resolve().then(compute);
    answers.set(name, { at: Date.now(), answer });
    answer.catch(() => answers.delete(name));
    return answer;
  }

  async function route(method: string, url: URL): Promise<ApiAnswer | undefined> {
    const path = url.pathname;
    const params = url.searchParams;
    const call = /^\/api\/call\/([0-9a-f]{1,64})(\/evict)?$/.exec(path);
    if (call) {
      if (call[2]) {
        if (method !== "POST") return { status: 405, body: { error: "evict is a POST" } };
        if (!options.allowEvict) return { status: 403, body: { error: "this UI is read-only; start it with --allow-evict to remove calls" } };
        const full = await cache.expand(call[1]!);
        await cache.evict(full);
        return ok({ evicted: full });
      }
      return method === "GET" ? ok(await callInFull(call[1]!)) : { status: 405, body: { error: `${method} not allowed` } };
    }
    if (method !== "GET") return path.startsWith("/api/") ? { status: 405, body: { error: `${method} not allowed` } } : undefined;
    switch (path) {
      case "/api/info":
        return ok({ config: safeConfig(), allowEvict: options.allowEvict });
      case "/api/functions":
        return ok({ functions: await catalog.counts() });
      case "/api/tallies":
        return ok({ functions: await recent("tallies", () => catalog.tallies()) });
      case "/api/storage":
        return ok(await recent("storage", async () => cacheStats(cache, await recent("tallies", () => catalog.tallies()))));
      case "/api/calls": {
        const template = toTemplate(filterFromParams(params));
        const offset = intParam(params, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(params, "limit", 50, 1, MAX_PAGE);
        const page = await catalog.page(template, offset, limit + 1);
        return ok({ offset, limit, more: page.length > limit, rows: page.slice(0, limit).map(rowOf) });
      }
      case "/api/count":
        return ok({ count: await catalog.count(toTemplate(filterFromParams(params))) });
      case "/api/runtimes": {
        const limit = intParam(params, "limit", 2000, 1, MAX_POINTS);
        return ok({ points: await catalog.runtimes(toTemplate(filterFromParams(params)), limit) });
      }
      default:
        return path.startsWith("/api/") ? { status: 404, body: { error: `no endpoint ${path}` } } : undefined;
    }
  }

  async function callInFull(prefix: string) {
    const record = (await cache.load(prefix)).record;
    const args = [];
    const probeArgs: ProbeArgument[] = [];
    for (const [name, digest] of Object.entries(record.arguments)) {
      const { view, loaded, value } = await viewValue(cache, valueStores, record, digest);
      args.push({ name, ...view });
      probeArgs.push(loaded ? { name, digest, value, hasValue: true } : { name, digest, hasValue: false });
    }
    const result = record.result === null ? null : (await viewValue(cache, valueStores, record, record.result)).view;
    const why = await explainProbe(cache, {
      name: record.name,
      module: record.module,
      version: record.version,
      codeDigest: record.codeDigest,
      storedKey: record.key,
      args: probeArgs,
    });
    return { record, row: rowOf(record), arguments: args, result, why };
  }

  /** The config without anything secret (stores never put secrets in it; a failure is reported, not thrown). */
  function safeConfig(): unknown {
    try {
      return cache.toConfig();
    } catch (error) {
      return { unavailable: (error as Error).message };
    }
  }

  return {
    async answer(method, url) {
      try {
        return await route(method, url);
      } catch (error) {
        if (error instanceof CacheMiss) return { status: 404, body: { error: error.message } };
        if (error instanceof FlecheError && (error.code === "FLECHE_QUERY" || error.code === "FLECHE_AMBIGUOUS" || error.code === "FLECHE_INDIGESTIBLE")) {
          return { status: 400, body: { error: error.message } };
        }
        if (error instanceof FlecheError && error.code === "FLECHE_REJECTED") return { status: 403, body: { error: error.message } };
        throw error;
      }
    },
  };
}
