/**
 * Failing fast while a database server is away, and noticing when it is back. The first connection
 * failure is reported once (one warning); until the next retry time every operation fails at once with
 * a `StoreUnavailable` marked as reported, so the wrapper runs calls uncached without waiting for
 * connection timeouts or repeating the warning. After the retry time one operation probes the server;
 * when it succeeds, caching resumes (announced once).
 */
import { StoreUnavailable } from "../../errors.js";
import { logger } from "../../log.js";

/** How long to fail fast before probing the server again. */
export const RETRY_MS = 1000;

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "57P01", // admin_shutdown: the server is stopping
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
]);

const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|connect ECONNREFUSED|the database system is (starting up|shutting down)/i;

/** True for errors that mean "the server cannot be reached now" rather than "the request is wrong". */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
  if (typeof message === "string" && CONNECTION_MESSAGES.test(message)) return true;
  return Array.isArray(errors) && errors.some(isConnectionError);
}

/** The health of one store's server connection. */
export class Availability {
  #down = false;
  #retryAt = 0;
  #probing = false;
  #cause = "";

  constructor(private readonly label: string) {}

  /** True while the server is considered away. */
  get down(): boolean {
    return this.#down;
  }

  /**
   * Run `op`; a connection failure is retried once at once (a pooled connection may have died with a
   * server restart while the server itself is fine), then marks the server as away.
   */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.#down && (Date.now() < this.#retryAt || this.#probing)) {
      throw new StoreUnavailable(`${this.label}: the server is unreachable (${this.#cause}); running uncached`, { reported: true });
    }
    const probe = this.#down;
    if (probe) this.#probing = true;
    try {
      const result = await this.#attempt(op);
      if (this.#down) {
        this.#down = false;
        logger().info(`${this.label}: the server is reachable again; caching resumes`);
      }
      return result;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.#cause = (error as Error).message || String((error as { code?: unknown }).code);
      this.#retryAt = Date.now() + RETRY_MS;
      if (!this.#down) {
        this.#down = true;
        logger().warn(
          `${this.label}: cannot reach the server (${this.#cause}); calls run uncached until it is back (retrying every ${RETRY_MS / 1000} s)`,
        );
      }
      throw new StoreUnavailable(`${this.label}: the server is unreachable (${this.#cause})`, { cause: error, reported: true });
    } finally {
      if (probe) this.#probing = false;
    }
  }

  async #attempt<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      if (this.#down || !isConnectionError(error)) throw error;
      return op();
    }
  }
}
