/**
 * Leases in SQLite: rows of the `leases` table, decided on the local clock (a SQLite file is used by the
 * processes of one machine; network filesystems are for one writer at a time anyway). Taking a lease is
 * one upsert inside a `BEGIN IMMEDIATE` transaction, so the check of the current holder and the write
 * happen under the database's write lock: of any number of processes asking at once, one gets it.
 * SQLite has no notifications, so there is no `changed`: waiters poll.
 *
 * A lease taken here whose record this store saves is released in the save's own transaction (the row
 * goes with the record's insert): one write transaction less per miss, and no moment when the record is
 * filed and the lease still held. The holder's `release` that follows then has nothing left to do, and
 * a heartbeat's `renew` in between answers `true`: the lease ended with its record, it was not lost.
 */
import type { LeaseAttempt, LeaseInfo, LeaseOwner, Leases } from "../leases.js";
import { PAGE } from "./driver.js";
import type { SqliteAccess } from "./sqlite-access.js";
import { checkTtl } from "./lease-ttl.js";

// Taken when absent or expired; a live lease is refused to everyone, its holder included (not re-entrant).
const ACQUIRE = `INSERT INTO leases (key, host, pid, token, since, expires) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET host = excluded.host, pid = excluded.pid, token = excluded.token,
    since = excluded.since, expires = excluded.expires
  WHERE leases.expires <= excluded.since`;
const COLUMNS = "key, host, pid, token, since, expires";
const REMOVE = "DELETE FROM leases WHERE key = ? AND token = ? AND host = ? AND pid = ?";

interface LeaseRow {
  readonly key: string;
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly since: number;
  readonly expires: number;
}

/** The leases of one SQLite database (local clock, no notifications). */
export class SqliteLeases implements Leases {
  /** Leases this object granted and no one released yet: key → owner. */
  readonly #held = new Map<string, LeaseOwner>();
  /** Leases released with their record (key → owner token): the holder's `release` is then a no-op. */
  readonly #releasedWithRecord = new Map<string, string>();

  constructor(private readonly db: SqliteAccess) {}

  acquire(key: string, owner: LeaseOwner, ttlMs: number): LeaseAttempt {
    checkTtl(ttlMs);
    this.db.mayWrite(`not taking a lease on call ${key}`, false);
    return this.db.write((): LeaseAttempt => {
      const now = Date.now();
      const changes = this.db.statement(ACQUIRE).run(key, owner.host, owner.pid, owner.token, now, now + Math.ceil(ttlMs)).changes;
      if (changes > 0) {
        this.#held.set(key, owner);
        return { acquired: true };
      }
      const row = this.db.statement(`SELECT ${COLUMNS} FROM leases WHERE key = ?`).get(key) as LeaseRow | undefined;
      return row ? { acquired: false, holder: info(row, now) } : { acquired: false };
    });
  }

  renew(key: string, owner: LeaseOwner, ttlMs: number): boolean {
    checkTtl(ttlMs);
    if (this.#releasedWithRecord.get(key) === owner.token) return true; // ended with its record, not lost
    this.db.mayWrite(`not renewing the lease on call ${key}`, false);
    const update = "UPDATE leases SET expires = ? WHERE key = ? AND token = ? AND host = ? AND pid = ?";
    return this.db.retry(() => this.db.statement(update).run(Date.now() + Math.ceil(ttlMs), key, owner.token, owner.host, owner.pid)).changes > 0;
  }

  release(key: string, owner: LeaseOwner): void {
    if (this.#releasedWithRecord.get(key) === owner.token) {
      this.#releasedWithRecord.delete(key); // its row went with the record's save
      return;
    }
    this.db.mayWrite(`not releasing the lease on call ${key}`, false);
    this.db.retry(() => this.db.statement(REMOVE).run(key, owner.token, owner.host, owner.pid));
    if (this.#held.get(key) === owner) this.#held.delete(key);
  }

  /** The leases held here on the keys of `records` (which are being saved). */
  heldAmong(records: readonly { readonly key: string }[]): [key: string, owner: LeaseOwner][] {
    const held: [string, LeaseOwner][] = [];
    if (this.#held.size === 0) return held;
    for (const { key } of records) {
      const owner = this.#held.get(key);
      if (owner) held.push([key, owner]);
    }
    return held;
  }

  /** Inside the save's transaction: remove the rows of `held` (the holder's token must still match). */
  removeWithin(held: readonly [string, LeaseOwner][]): void {
    for (const [key, owner] of held) this.db.statement(REMOVE).run(key, owner.token, owner.host, owner.pid);
  }

  /** After the save committed: `held` are released, so their holders' `release` has nothing to do. */
  releasedWithRecords(held: readonly [string, LeaseOwner][]): void {
    for (const [key, owner] of held) {
      if (this.#held.get(key) === owner) this.#held.delete(key);
      this.#releasedWithRecord.set(key, owner.token);
    }
  }

  /** Every lease in key order, a page at a time (no statement stays open between pages). */
  *list(): Generator<LeaseInfo> {
    for (let last = ""; ; ) {
      const rows = this.db.retry(() => this.db.statement(`SELECT ${COLUMNS} FROM leases WHERE key > ? ORDER BY key LIMIT ${PAGE}`).all(last)) as LeaseRow[];
      const now = Date.now();
      for (const row of rows) yield info(row, now);
      if (rows.length < PAGE) return;
      last = rows[rows.length - 1]!.key;
    }
  }

  clearExpired(): number {
    this.db.mayWrite("not clearing expired leases", false);
    return this.db.retry(() => this.db.statement("DELETE FROM leases WHERE expires <= ?").run(Date.now())).changes;
  }
}

function info(row: LeaseRow, now: number): LeaseInfo {
  const { key, host, pid, token, since, expires } = row;
  return { key, host, pid: Number(pid), token, since: Number(since), expires: Number(expires), expired: Number(expires) <= now };
}
