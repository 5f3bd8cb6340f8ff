/**
 * The query of any cache: the filter is digested once, and every iteration asks `cache.records` again.
 * An indigestible filter value matches nothing (with a warning), as in the original.
 */
import { Indigestible } from "../errors.js";
import { logger } from "../log.js";
import { LazyCall } from "../lazy-call.js";
import { Query } from "./query.js";
import { toTemplate, type QueryFilter, type RecordTemplate } from "./template.js";
import type { CacheCore } from "../cache-core.js";

/** A query over the calls of `cache` that match `filter`. */
export function queryOver(cache: CacheCore, filter: QueryFilter): Query {
  let template: RecordTemplate;
  try {
    template = toTemplate(filter);
  } catch (error) {
    if (!(error instanceof Indigestible)) throw error;
    logger().warn(`No hash for query argument: ${error.message}; the query matches nothing`);
    return new Query(async function* () {});
  }
  const latest = cache.latestRecord?.bind(cache);
  return new Query(
    async function* () {
      for await (const record of cache.records(template)) yield new LazyCall(record, cache);
    },
    latest &&
      (async (which) => {
        const record = await latest(template, which);
        return record && new LazyCall(record, cache);
      }),
  );
}
