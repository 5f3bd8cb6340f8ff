/**
 * The mark of caches that refuse every write (read-only and filtered views, pools), in a file of its own
 * so that the views, pools and tools that check it need not import each other. A symbol rather than a
 * property: `readOnly()` is the method every cache has (it returns a read-only view).
 */
import { Rejected } from "../errors.js";

/** Set to `true` on caches that refuse every write. */
export const READ_ONLY: unique symbol = Symbol("fleche.readOnly");

/** True for caches that refuse every write (read-only views, filtered views, pools). */
export function isReadOnly(cache: object): boolean {
  return (cache as { [READ_ONLY]?: unknown })[READ_ONLY] === true;
}

/** What a cache that cannot be changed answers to `gc()` and `redigest()`. */
export function refuse(operation: "gc" | "redigest", cache: object): Promise<never> {
  const name = (cache as { constructor?: { name?: string } }).constructor?.name ?? "cache";
  const why = operation === "gc" ? "cannot be garbage-collected" : "cannot be re-keyed";
  return Promise.reject(new Rejected(`${operation}: a ${name} ${why} (it is read-only); call it on the cache it views`));
}
