/**
 * Freshness of signed call records. A signature proves who wrote a record, not that it is the latest:
 * an older signed record copied back over a newer one (after `rerun`, say) verifies. Signed records
 * therefore carry a signed write time, and each store object remembers the newest write time it has
 * written or read per key; a record older than that is a replay.
 *
 * What this cannot see, by design: a replay read by a process that never saw the newer record (a fresh
 * process has no memory of it, and nothing on disk can tell it, short of outside state), and keys
 * forgotten because more than {@link REMEMBERED} others were seen since. docs/file-format.md says so.
 */

import { RecordProblem, decodeRecord } from "./records.js";
import type { CallRecord } from "../../call-record.js";
import type { Signer } from "../envelope/signing.js";

/** How many keys a store remembers write times for (about 150 bytes each). */
export const REMEMBERED = 65_536;

/** The newest signed write time seen per key, for the most recently seen keys. */
export class Freshness {
  readonly #newest = new Map<string, number>();

  /** The write time for a new record of `key`: now, or just after the newest seen when the clock lags. */
  stamp(key: string): number {
    const written = Math.max(Date.now(), (this.#newest.get(key) ?? 0) + 1);
    this.#remember(key, written);
    return written;
  }

  /**
   * Note that a record of `key` written at `written` was read. Returns the newest earlier write time
   * when this one is older (a replay), else undefined.
   */
  seen(key: string, written: number): number | undefined {
    const newest = this.#newest.get(key);
    if (newest !== undefined && written < newest) return newest;
    this.#remember(key, written); // also refreshes the key's place among those seen last
    return undefined;
  }

  #remember(key: string, written: number): void {
    this.#newest.delete(key); // re-inserted last: the map's order is the order keys were last seen in
    this.#newest.set(key, written);
    if (this.#newest.size > REMEMBERED) this.#newest.delete(this.#newest.keys().next().value!);
  }
}

/**
 * The record in `bytes` (stored under `key`), checked as `decodeRecord` checks it and, for a signed
 * store, against the newest write time `freshness` has seen for `key`.
 * @throws RecordProblem when it is damaged, forged, or an older signed record than one already seen (a replay).
 */
export function decodeFreshRecord(bytes: Uint8Array, key: string, signer: Signer, freshness: Freshness): CallRecord {
  const { record, written } = decodeRecord(bytes, key, signer);
  if (written !== undefined && signer.enabled) {
    const newer = freshness.seen(key, written);
    if (newer !== undefined) {
      throw new RecordProblem(`it is an older signed record (written ${new Date(written).toISOString()}) than one this store has seen (written ${new Date(newer).toISOString()}): a replay`);
    }
  }
  return record;
}
