/**
 * Value rows read along with a hit's record, waiting for the value load that follows. A PostgreSQL hit
 * reads the record and its result's value row in one statement (`postgres.ts` `loadResult`); the value
 * store of the same database, be it the same `Sql` object or another one over the same URL (as
 * `type = "sql"` on both sides of a config builds), takes the bytes instead of a second round trip.
 *
 * Rows wait for the current turn of the event loop only (the wrapper loads the value in the hit's
 * continuation), so an eviction is seen by every later load. The bytes are content-addressed and checked
 * as any read is: they can only be the value under their key.
 */

/** One waiting row per database URL. */
const waiting = new Map<string, { readonly key: string; readonly bytes: Uint8Array }>();
let clearing: NodeJS.Immediate | undefined;

/** Offer the row of `key` in the database at `url` to the load that follows in this turn. */
export function offerRow(url: string, key: string, bytes: Uint8Array): void {
  waiting.set(url, { key, bytes });
  clearing ??= setImmediate(() => {
    waiting.clear();
    clearing = undefined;
  });
}

/** The row of `key` offered for the database at `url` in this turn, taken (once), or undefined. */
export function takeRow(url: string, key: string): Uint8Array | undefined {
  const row = waiting.get(url);
  if (row?.key !== key) return undefined;
  waiting.delete(url);
  return row.bytes;
}
