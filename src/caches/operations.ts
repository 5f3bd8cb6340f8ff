/**
 * Whole-cache operations as functions over any `CacheLike`: `gc`, `redigest`, `transfer`, and the views
 * `readOnly` and `filtered`. Internal helpers, not public API: users call the methods (`cache.gc()`,
 * `cache.readOnly()`, ...; docs/api.md), and the CLI and the composed caches call these, because they hold
 * a `CacheLike` whose methods they cannot know statically; views that cannot write refuse with `Rejected`.
 */
import { Rejected } from "../errors.js";
import { transferCalls, type TransferOptions, type TransferReport } from "../query/transfer.js";
import { ReadOnly } from "./read-only.js";
import { Filtered, type CallPredicate } from "./filtered.js";
import type { CacheLike } from "../cache-like.js";
import type { GcOptions, GcReport } from "./gc.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { QueryFilter } from "../query/template.js";

/** A cache whose value store can be garbage-collected. */
export interface Collectable {
  gc(options?: GcOptions): Promise<GcReport>;
}

/** A cache whose records can be re-keyed. */
export interface Redigestable {
  redigest(options?: RedigestOptions): Promise<RedigestReport>;
}

/** True when `cache` can be garbage-collected. */
export function canGc(cache: CacheLike): cache is CacheLike & Collectable {
  return typeof (cache as Partial<Collectable>).gc === "function";
}

/** True when `cache` can re-key its records. */
export function canRedigest(cache: CacheLike): cache is CacheLike & Redigestable {
  return typeof (cache as Partial<Redigestable>).redigest === "function";
}

/** Remove the values no call record of `cache` refers to (see `caches/gc.ts`). */
export function gc(cache: CacheLike, options?: GcOptions): Promise<GcReport> {
  if (!canGc(cache)) return Promise.reject(new Rejected(`gc: a ${nameOf(cache)} cannot be garbage-collected (it is read-only or has no value store)`));
  return cache.gc(options);
}

/** Re-key the records of `cache` after a digest change (see `caches/redigest.ts`). */
export function redigest(cache: CacheLike, options?: RedigestOptions): Promise<RedigestReport> {
  if (!canRedigest(cache)) return Promise.reject(new Rejected(`redigest: a ${nameOf(cache)} cannot be re-keyed (it is read-only)`));
  return cache.redigest(options);
}

/** Copy every call of `source` into `target` (`pop` moves them; `overwrite` replaces calls the target has). */
export function transfer(source: CacheLike, target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
  return transferCalls(source.query(), target, options);
}

/** A read-only view of `cache`. */
export function readOnly(cache: CacheLike): ReadOnly {
  return cache instanceof ReadOnly ? cache : new ReadOnly(cache);
}

/** A live, read-only view of the calls of `cache` that match `where`. */
export function filtered(cache: CacheLike, where: CallPredicate | QueryFilter): Filtered {
  return new Filtered(cache, where);
}

function nameOf(cache: CacheLike): string {
  return (cache as { constructor?: { name?: string } }).constructor?.name ?? "cache";
}
