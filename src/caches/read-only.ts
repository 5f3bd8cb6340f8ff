/**
 * `ReadOnly`: a view that reads through to a cache and never writes to it. Under a read-only cache a
 * wrapped function still returns its result; the save is rejected and the wrapper warns once per call.
 * Use it to share a team's cache without letting anyone's experiments into it.
 */
import { Rejected } from "../errors.js";
import { PreparedCall } from "../prepared-call.js";
import { withModifiers } from "./modifiers.js";
import { Filtered, type CallPredicate } from "./filtered.js";
import { CacheView } from "./view.js";
import { READ_ONLY } from "./read-only-mark.js";
import type { CacheConfig } from "../cache-like.js";
import type { Call } from "../call.js";
import type { QueryFilter } from "../query/template.js";

/** A read-only view of `inner`. */
export class ReadOnly extends CacheView {
  /** Marks read-only caches for tools that check (`isReadOnly`). */
  readonly [READ_ONLY] = true;

  /** Already read-only. */
  readOnly(): ReadOnly {
    return this;
  }

  /** Digest-only admission: nothing is stored, since the commit will be refused. */
  override async prepare(call: Call): Promise<PreparedCall> {
    return new PreparedCall(call, this);
  }
  /** @throws Rejected always: the cache is read-only. */
  override async commit(prepared: PreparedCall): Promise<string> {
    throw new Rejected(`read-only cache: not saving ${prepared.call.name} (${prepared.key})`);
  }
  /** @throws Rejected always: the cache is read-only. */
  override async evict(key: string): Promise<void> {
    throw new Rejected(`read-only cache: not evicting ${key}`);
  }
  /** A live, read-only view of the calls that match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** The wrapped cache's config table with `read_only = true`. */
  override toConfig(): CacheConfig {
    return withModifiers(this.inner.toConfig(), { read_only: true }, "ReadOnly");
  }
}

export { isReadOnly } from "./read-only-mark.js";
