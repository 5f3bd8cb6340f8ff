/**
 * Which layers of a composed cache a whole-cache operation reaches. Every cache has `gc()` and
 * `redigest()` (docs/api.md); read-only ones (views that refuse writes, pools) reject them, so a stack
 * collects or re-keys only its writable layers.
 */
import { isReadOnly } from "./read-only-mark.js";
import type { CacheLike } from "../cache-like.js";
import type { GcOptions, GcReport } from "./gc.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { TransferOptions, TransferReport } from "../query/transfer.js";

/** True when `cache` can be garbage-collected (it is not read-only). */
export function canGc(cache: CacheLike): boolean {
  return !isReadOnly(cache);
}

/** True when `cache` can re-key its records (it is not read-only). */
export function canRedigest(cache: CacheLike): boolean {
  return !isReadOnly(cache);
}

/*
 * The same operations as functions over any cache, for the CLI and tests that hold a `CacheLike`. Users
 * call the methods; these only forward, so there is one behaviour behind both spellings.
 */

/** `cache.gc(options)`. */
export function gc(cache: CacheLike, options?: GcOptions): Promise<GcReport> {
  return cache.gc(options);
}

/** `cache.redigest(options)`. */
export function redigest(cache: CacheLike, options?: RedigestOptions): Promise<RedigestReport> {
  return cache.redigest(options);
}

/** `source.transfer(target, options)`. */
export function transfer(source: CacheLike, target: CacheLike, options?: TransferOptions): Promise<TransferReport> {
  return source.transfer(target, options);
}

/** `cache.readOnly()`. */
export function readOnly(cache: CacheLike): CacheLike {
  return cache.readOnly();
}
