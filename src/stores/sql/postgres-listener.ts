/**
 * One dedicated PostgreSQL connection per store that `LISTEN`s on the lease channel while someone waits
 * for a lease (`Leases.changed`), so a waiter wakes within milliseconds of the holder's release instead
 * of at its next poll. The connection is opened by the first waiter and closed a second after the last
 * one leaves (it would otherwise keep the process alive); a pooled connection cannot listen, since the
 * pool hands it to other queries.
 */
import type { Client } from "pg";
import { logger } from "../../log.js";

/** The `NOTIFY` channel releases are announced on; the payload is the call key. */
export const LEASE_CHANNEL = "fleche_leases";

/** How long the listening connection stays open without waiters. */
const IDLE_MS = 1000;

/** The listening connection of one store and the waiters it wakes, by call key. */
export class LeaseListener {
  readonly #waiters = new Map<string, Set<() => void>>();
  #client: Promise<Client> | undefined;
  #idle: NodeJS.Timeout | undefined;
  #closed = false;

  /** `connect` opens a new, unpooled connection. */
  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly label: string,
  ) {}

  /**
   * Resolve on a notification for `key`, on `signal`, or as soon as `held()` (asked once the listener is
   * in place) says no live lease is recorded. Never rejects: a wake-up is a hint.
   */
  wait(key: string, signal: AbortSignal, held: () => Promise<boolean>): Promise<void> {
    if (this.#closed || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let done = false;
      const wake = (): void => {
        if (done) return;
        done = true;
        signal.removeEventListener("abort", wake);
        const set = this.#waiters.get(key);
        set?.delete(wake);
        if (set?.size === 0) this.#waiters.delete(key);
        if (this.#waiters.size === 0) this.#scheduleIdle();
        resolve();
      };
      signal.addEventListener("abort", wake, { once: true });
      let set = this.#waiters.get(key);
      if (!set) this.#waiters.set(key, (set = new Set()));
      set.add(wake);
      clearTimeout(this.#idle);
      this.#listening()
        .then(() => (done ? true : held()))
        .then(
          (stillHeld) => {
            if (!stillHeld) wake();
          },
          () => wake(),
        );
    });
  }

  /** The listening connection, opened once (again after a failure). */
  #listening(): Promise<Client> {
    this.#client ??= (async () => {
      const client = await this.connect();
      client.on("notification", (message) => {
        if (message.channel !== LEASE_CHANNEL || message.payload === undefined) return;
        for (const wake of [...(this.#waiters.get(message.payload) ?? [])]) wake();
      });
      client.on("error", (error) => {
        logger().debug(`${this.label}: the lease listener lost its connection (${error.message})`);
        this.#drop(client);
      });
      client.on("end", () => this.#drop(client));
      await client.query(`LISTEN ${LEASE_CHANNEL}`);
      return client;
    })().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  /** The connection is gone: every waiter looks again (a release may have gone unheard). */
  #drop(client: Client): void {
    void this.#client?.then((current) => {
      if (current !== client) return;
      this.#client = undefined;
      for (const set of [...this.#waiters.values()]) for (const wake of [...set]) wake();
    }, () => undefined);
  }

  #scheduleIdle(): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#waiters.size === 0) void this.#end();
    }, IDLE_MS);
    this.#idle.unref();
  }

  async #end(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    const client = await pending?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  /** Wake every waiter and close the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idle);
    for (const set of [...this.#waiters.values()]) for (const wake of [...set]) wake();
    await this.#end();
  }
}
