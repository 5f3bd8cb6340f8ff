/**
 * Leases in SQLite: rows of the `leases` table, decided on the local clock (a SQLite file is used by the
 * processes of one machine; network filesystems are for one writer at a time anyway). Taking a lease is
 * one upsert inside a `BEGIN IMMEDIATE` transaction, so the check of the current holder and the write
 * happen under the database's write lock: of any number of processes asking at once, one gets it.
 * SQLite has no notifications, so there is no `changed`: waiters poll.
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
  constructor(private readonly db: SqliteAccess) {}

  acquire(key: string, owner: LeaseOwner, ttlMs: number): LeaseAttempt {
    checkTtl(ttlMs);
    this.db.mayWrite(`not taking a lease on call ${key}`, false);
    return this.db.write((): LeaseAttempt => {
      const now = Date.now();
      const changes = this.db.statement(ACQUIRE).run(key, owner.host, owner.pid, owner.token, now, now + Math.ceil(ttlMs)).changes;
      if (changes > 0) return { acquired: true };
      const row = this.db.statement(`SELECT ${COLUMNS} FROM leases WHERE key = ?`).get(key) as LeaseRow | undefined;
      return row ? { acquired: false, holder: info(row, now) } : { acquired: false };
    });
  }

  renew(key: string, owner: LeaseOwner, ttlMs: number): boolean {
    checkTtl(ttlMs);
    this.db.mayWrite(`not renewing the lease on call ${key}`, false);
    const update = "UPDATE leases SET expires = ? WHERE key = ? AND token = ? AND host = ? AND pid = ?";
    return this.db.retry(() => this.db.statement(update).run(Date.now() + Math.ceil(ttlMs), key, owner.token, owner.host, owner.pid)).changes > 0;
  }

  release(key: string, owner: LeaseOwner): void {
    this.db.mayWrite(`not releasing the lease on call ${key}`, false);
    const remove = "DELETE FROM leases WHERE key = ? AND token = ? AND host = ? AND pid = ?";
    this.db.retry(() => this.db.statement(remove).run(key, owner.token, owner.host, owner.pid));
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
