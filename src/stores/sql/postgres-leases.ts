/**
 * Leases in PostgreSQL: rows of the `leases` table, decided on the server's clock (`now()`), so machines
 * whose clocks disagree still agree on when a lease expires. Taking a lease is one
 * `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired`: PostgreSQL runs it atomically against concurrent
 * inserts and updates of the row (a second taker waits for the first to commit, then sees its live
 * lease), so of any number of callers on any number of machines one gets it. Releasing (and clearing
 * expired leases) sends `NOTIFY fleche_leases, '<key>'` in the same statement, delivered on commit;
 * `changed` listens for it (`postgres-listener.ts`).
 */
import type { LeaseAttempt, LeaseInfo, LeaseOwner, Leases } from "../leases.js";
import { PAGE } from "./driver.js";
import type { PoolRunner } from "./postgres-values.js";
import { LEASE_CHANNEL, type LeaseListener } from "./postgres-listener.js";
import { checkTtl } from "./lease-ttl.js";

const ACQUIRE = `INSERT INTO leases (key, host, pid, token, since, expires)
  VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5::float8 / 1000))
  ON CONFLICT (key) DO UPDATE SET host = excluded.host, pid = excluded.pid, token = excluded.token,
    since = excluded.since, expires = excluded.expires
  WHERE leases.expires <= now()
  RETURNING 1`;
/** A lease row as the client reads it: times in milliseconds, `expired` on the server's clock. */
const INFO = `key, host, pid, token, (extract(epoch FROM since) * 1000)::float8 AS since,
  (extract(epoch FROM expires) * 1000)::float8 AS expires, expires <= now() AS expired`;

/** The leases of one PostgreSQL database (server clock, `NOTIFY` on release). */
export class PostgresLeases implements Leases {
  constructor(
    private readonly run: PoolRunner,
    private readonly listener: LeaseListener,
  ) {}

  acquire(key: string, owner: LeaseOwner, ttlMs: number): Promise<LeaseAttempt> {
    checkTtl(ttlMs);
    return this.run(async (pool): Promise<LeaseAttempt> => {
      const taken = await pool.query(ACQUIRE, [key, owner.host, owner.pid, owner.token, ttlMs]);
      if (taken.rowCount) return { acquired: true };
      const holder = (await pool.query<LeaseInfo>(`SELECT ${INFO} FROM leases WHERE key = $1`, [key])).rows[0];
      return holder ? { acquired: false, holder: { ...holder } } : { acquired: false };
    });
  }

  renew(key: string, owner: LeaseOwner, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const update = "UPDATE leases SET expires = now() + make_interval(secs => $5::float8 / 1000) WHERE key = $1 AND token = $2 AND host = $3 AND pid = $4";
    return this.run(async (pool) => ((await pool.query(update, [key, owner.token, owner.host, owner.pid, ttlMs])).rowCount ?? 0) > 0);
  }

  release(key: string, owner: LeaseOwner): Promise<void> {
    const remove = `WITH gone AS (DELETE FROM leases WHERE key = $1 AND token = $2 AND host = $3 AND pid = $4 RETURNING key)
      SELECT pg_notify('${LEASE_CHANNEL}', key) FROM gone`;
    return this.run(async (pool) => void (await pool.query(remove, [key, owner.token, owner.host, owner.pid])));
  }

  async *list(): AsyncGenerator<LeaseInfo> {
    for (let last = ""; ; ) {
      const from = last;
      const rows = await this.run(async (pool) => (await pool.query<LeaseInfo>(`SELECT ${INFO} FROM leases WHERE key > $1 ORDER BY key LIMIT ${PAGE}`, [from])).rows);
      for (const row of rows) yield { ...row };
      if (rows.length < PAGE) return;
      last = rows[rows.length - 1]!.key;
    }
  }

  clearExpired(): Promise<number> {
    const clear = `WITH gone AS (DELETE FROM leases WHERE expires <= now() RETURNING key) SELECT pg_notify('${LEASE_CHANNEL}', key) FROM gone`;
    return this.run(async (pool) => (await pool.query(clear)).rowCount ?? 0);
  }

  /**
   * Resolves when a `NOTIFY` says the lease on `key` was released, when `signal` aborts, or at once when
   * no live lease on `key` is recorded once the listener is in place (a release before that sent its
   * notification to no one). A lost listening connection resolves every waiter (they look again).
   */
  changed(key: string, signal: AbortSignal): Promise<void> {
    return this.listener.wait(key, signal, () =>
      this.run(async (pool) => ((await pool.query("SELECT 1 FROM leases WHERE key = $1 AND expires > now()", [key])).rowCount ?? 0) > 0),
    );
  }
}
