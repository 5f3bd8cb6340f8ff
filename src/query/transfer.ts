/**
 * Copying stored calls between caches. Values travel through the target's own stores (re-stored by
 * content), so any value store can receive from any other. A call whose key the target already holds is
 * skipped unless `overwrite` is set; with `pop`, a call leaves the source only once it reached the target.
 */
import { logger } from "../log.js";
import type { CacheLike } from "../cache-like.js";
import type { LazyCall } from "../lazy-call.js";

/** Options of {@link transferCalls}. */
export interface TransferOptions {
  /** Remove each transferred call from its source cache. @default false */
  readonly pop?: boolean;
  /** Replace calls the target already holds. @default false */
  readonly overwrite?: boolean;
  /** Called after each call with the running counts (for progress displays). */
  readonly onProgress?: (done: TransferReport) => void;
}

/** What a transfer did. */
export interface TransferReport {
  /** Keys written to the target. */
  readonly transferred: string[];
  /** Keys left alone because the target already held them. */
  readonly skipped: string[];
}

/** Copy `calls` into `target`. */
export async function transferCalls(calls: AsyncIterable<LazyCall>, target: CacheLike, options: TransferOptions = {}): Promise<TransferReport> {
  const report = { transferred: [] as string[], skipped: [] as string[] };
  const snapshot: LazyCall[] = [];
  for await (const call of calls) snapshot.push(call); // never evict from a store while it is being listed
  for (const call of snapshot) {
    if (!options.overwrite && (await target.contains(call.key))) {
      logger().warn(`Not transferring ${call.key}: already exists in target and overwrite is off`);
      if (options.pop) logger().warn(`Not evicting ${call.key} from the source: it was not transferred`);
      report.skipped.push(call.key);
    } else {
      const live = await call.fetch();
      await target.save(live, await call.result(), call.metadata);
      report.transferred.push(call.key);
      if (options.pop) await call.cache.evict(call.key);
    }
    options.onProgress?.(report);
  }
  return report;
}
