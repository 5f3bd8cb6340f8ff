/**
 * `WritableView`: the base of views that let writes through to the cache they wrap (size-limited and
 * refreshing ones), so their read-only and filtered views are built on them, and `gc()` and `redigest()`
 * reach the wrapped cache. Views that refuse writes (read-only, filtered) extend `CacheView` directly.
 */
import { CacheView } from "./view.js";
import { ReadOnly } from "./read-only.js";
import { Filtered } from "./filtered.js";
import type { CallPredicate } from "../cache-like.js";
import type { QueryFilter } from "../query/template.js";
import type { GcOptions, GcReport } from "./gc.js";
import type { RedigestOptions, RedigestReport } from "./redigest.js";
import type { Leasing } from "../leases/leasing.js";

/** A view whose writes go through to `inner`. */
export abstract class WritableView extends CacheView {
  /** A read-only view of this view. */
  readOnly(): ReadOnly {
    return new ReadOnly(this);
  }
  /** A live, read-only view of the calls that match. */
  filter(where: CallPredicate | QueryFilter): Filtered {
    return new Filtered(this, where);
  }
  /** The wrapped cache's leases: its writes, and so its records, land there. */
  leasing(): Leasing | undefined {
    return this.inner.leasing?.();
  }
  /** Collect the wrapped cache. */
  override gc(options?: GcOptions): Promise<GcReport> {
    return this.inner.gc(options);
  }
  /** Re-key the wrapped cache's records. */
  override redigest(options?: RedigestOptions): Promise<RedigestReport> {
    return this.inner.redigest(options);
  }
}
