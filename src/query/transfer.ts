/**
 * Copying stored calls between caches. Values travel through the target's own stores (re-stored by
 * content), so any value store can receive from any other; between two value stores of the same
 * envelope (FileStore, S3Store, Sql) they are copied as their stored bytes (`raw-transfer.ts`). A call
 * whose key the target already holds is skipped unless `overwrite` is set (reported in `skipped`, logged
 * at debug level only); with `pop`, a call leaves the source only once it reached the target.
 *
 * A call whose values are missing at the source (a dangling reference: its result or an argument was
 * removed, or an argument could never be stored) is not copied: the copy would carry the dangling
 * reference into the target. It is reported in `dangling`, with a warning, and stays in the source.
 * `allowDangling` copies calls whose result is there but an argument is not (the argument travels as a
 * digest-only reference, with a warning); a call without its result is never copied.
 */
import { CacheMiss } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { logger } from "../log.js";
import type { CacheCore } from "../cache-core.js";
import type { LazyCall } from "../lazy-call.js";
import { copyRaw } from "./raw-transfer.js";

/** Options of `cache.transfer()` and `query.transfer()`. */
export interface TransferOptions {
  /** Remove each transferred call from its source cache. @default false */
  readonly pop?: boolean;
  /** Replace calls the target already holds. @default false */
  readonly overwrite?: boolean;
  /**
   * Copy calls whose result is stored but an argument's value is not (the argument is copied as its
   * digest only, and a warning names it). Calls without their result are never copied.
   * @default false
   */
  readonly allowDangling?: boolean;
  /** Called after each call with the running counts (for progress displays). */
  readonly onProgress?: (done: TransferReport) => void;
}

/** Every option of {@link TransferOptions}; `transfer()` rejects any other key before it moves anything. */
export const TRANSFER_OPTION_KEYS = keysOf<TransferOptions>()(["pop", "overwrite", "allowDangling", "onProgress"]);

/** What a transfer did. */
export interface TransferReport {
  /** Keys written to the target. */
  readonly transferred: string[];
  /** Keys left alone because the target already held them. */
  readonly skipped: string[];
  /** Keys left alone because a value they refer to is missing at the source (see the module comment). */
  readonly dangling: string[];
}

/** Copy `calls` into `target`: what `cache.transfer()`, `query.transfer()` and the CLI run (internal). */
export async function transferCalls(calls: AsyncIterable<LazyCall>, target: CacheCore, options: TransferOptions = {}): Promise<TransferReport> {
  const report: TransferReport = { transferred: [], skipped: [], dangling: [] };
  rejectUnknownKeys("transfer()", options, TRANSFER_OPTION_KEYS); // before anything is listed, copied or popped
  const snapshot: LazyCall[] = [];
  for await (const call of calls) snapshot.push(call); // never evict from a store while it is being listed
  for (const call of snapshot) {
    if (!options.overwrite && (await target.contains(call.key))) {
      // Routine (a repeated transfer skips everything it copied before): counted in the report, which
      // callers summarise, and logged at debug level only.
      logger().debug(`Not transferring ${call.key}: already exists in target and overwrite is off${options.pop ? "; it stays in the source" : ""}`);
      report.skipped.push(call.key);
    } else if (await copy(call, target, options)) {
      report.transferred.push(call.key);
      if (options.pop) await call.cache.evict(call.key);
    } else {
      report.dangling.push(call.key);
    }
    options.onProgress?.(report);
  }
  return report;
}

/**
 * Copy one call; false (with a warning) when a value it refers to is missing at the source. Values are
 * copied as their stored bytes when both caches allow it (`raw-transfer.ts`), else decoded and re-saved.
 */
async function copy(call: LazyCall, target: CacheCore, options: TransferOptions): Promise<boolean> {
  if (await copyRaw(call.record, call.cache, target)) return true;
  const kept = options.pop ? "; it stays in the source" : "";
  let result: unknown;
  try {
    result = await call.result();
  } catch (error) {
    if (!(error instanceof CacheMiss)) throw error;
    logger().warn(`Not transferring ${call.key} (${call.name}): its result ${call.resultDigest} is missing at the source (\`fleche verify\` reports such records)${kept}`);
    return false;
  }
  const loaded = await call.loadArguments();
  if (loaded.missing.length > 0) {
    const which = loaded.missing.map((name) => `'${name}' (${call.argumentDigests[name]})`).join(", ");
    if (!options.allowDangling) {
      logger().warn(`Not transferring ${call.key} (${call.name}): the value of argument ${which} is missing at the source${kept} (allowDangling copies it as a digest-only reference)`);
      return false;
    }
    logger().warn(`Transferring ${call.key} (${call.name}) with argument ${which} as a digest-only reference: its value is missing at the source`);
  }
  const live = await call.fetch(loaded);
  await target.save(live, result, call.metadata);
  return true;
}
