/**
 * `Sql`: a call store on SQL, for queries that run in the database (by function, argument value,
 * metadata and time) and for sharing records between processes (SQLite) and machines (PostgreSQL).
 * Calls only: values go to any value store.
 *
 * @example
 * new Cache({ values: new FileStore({ root: "cache/values" }), calls: new Sql({ url: "sqlite:///cache/calls.db" }) })
 * new Sql({ url: "postgres://fleche@db.internal/cache" }) // password from PGPASSWORD or ~/.pgpass
 */
import { ConfigError } from "../../errors.js";
import { keysOf, rejectUnknownKeys } from "../../known-keys.js";
import { configFromSettings } from "../descriptor.js";
import { SQL_CONFIG } from "./config.js";
import { PostgresDriver } from "./postgres.js";
import { SqliteDriver } from "./sqlite.js";
import { MEMORY, parseSqlUrl, redactUrl, stripPassword, type SqlLocation } from "./url.js";
import type { MaybePromise } from "../../maybe.js";
import type { CallRecord } from "../../call-record.js";
import type { RecordTemplate } from "../../query/template.js";
import { VERIFY_OPTION_KEYS, type CallStore, type KeyStream, type ResultRef, type StoreConfig, type VerifyOptions, type VerifyReport } from "../types.js";
import type { SqlDriver, SqlInfo } from "./driver.js";
import { sqlCatalog } from "./catalog.js";
import { postgres, sqlite } from "./dialect.js";
import type { CallCatalog } from "../catalog.js";

/** Options of {@link Sql}. */
export interface SqlOptions {
  /**
   * Where the records live, as in SQLAlchemy: `sqlite:///relative/path.db` (against the working
   * directory), `sqlite:////abs/path.db`, `sqlite:///~/path.db`; also a bare file path, `:memory:`, or
   * `postgres://user@host:port/database`. Parent directories of SQLite files are created.
   * @default ":memory:"
   */
  readonly url?: string;
  /**
   * SQLite only: open the database read-only, never writing the database file (saves and evictions
   * are refused).
   * Without it a database is opened read-only anyway when it cannot be written: on read-only media, or
   * without write permission on the file or its directory. See docs/stores.md, "Read-only databases".
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Every option of {@link SqlOptions}; `new Sql()` rejects any other key. */
export const SQL_OPTION_KEYS = keysOf<SqlOptions>()(["url", "readOnly"]);

/** The SQL call store (SQLite or PostgreSQL). SQLite answers synchronously, PostgreSQL with promises. */
export class Sql implements CallStore {
  readonly type = "sql";
  /** Where the records live (SQLite paths resolved to absolute ones). */
  readonly location: SqlLocation;
  readonly #driver: SqlDriver;
  readonly #readOnly: boolean;

  /** @throws ConfigError for an unknown URL scheme, a file that is not a SQLite database, a newer schema. */
  constructor(options: SqlOptions = {}) {
    rejectUnknownKeys("new Sql(...)", options, SQL_OPTION_KEYS);
    this.location = parseSqlUrl(options.url ?? MEMORY);
    const label = `Sql store ${redactUrl(this.location.url)}`;
    if (options.readOnly !== undefined && typeof options.readOnly !== "boolean") {
      throw new ConfigError(`${label}: option \`readOnly\` must be true or false, got ${JSON.stringify(options.readOnly)}`);
    }
    this.#readOnly = options.readOnly === true;
    if (this.#readOnly && this.location.kind === "sqlite" && this.location.path === MEMORY) {
      throw new ConfigError(`${label}: option \`readOnly\` needs a database file (an in-memory database starts empty)`);
    }
    if (this.#readOnly && this.location.kind === "postgres") {
      throw new ConfigError(`${label}: option \`readOnly\` is for SQLite files; for PostgreSQL use a role without write privileges, or \`read_only = true\` on the cache`);
    }
    this.#driver =
      this.location.kind === "sqlite" ? new SqliteDriver(this.location, label, { readOnly: this.#readOnly }) : new PostgresDriver(this.location, label);
    const driver = this.#driver;
    this.catalog = sqlCatalog({
      dialect: this.location.kind === "sqlite" ? sqlite : postgres,
      select: (sql, params) => driver.select(sql, params),
      load: (key) => driver.load(key),
      records: async function* (template) {
        yield* driver.query(template);
      },
    });
  }

  /** Tallies, pages and counts answered in the database (`fleche stats`, `fleche ui`; see `stores/catalog.ts`). */
  readonly catalog: CallCatalog;

  /** The URL without any password. */
  get url(): string {
    return redactUrl(this.location.url);
  }

  saveCall(record: CallRecord): MaybePromise<void> {
    return this.#driver.save(record);
  }

  /** Save many records in one transaction (bulk imports, transfers). */
  saveCalls(records: readonly CallRecord[]): MaybePromise<void> {
    return this.#driver.saveMany(records);
  }

  loadCall(key: string): MaybePromise<CallRecord | undefined> {
    return this.#driver.load(key);
  }

  /** The hot path of a cache hit: the result digest and inline values only (one narrow read). */
  loadResult(key: string): MaybePromise<ResultRef | undefined> {
    return this.#driver.loadResult(key);
  }

  containsCall(key: string): MaybePromise<boolean> {
    return this.#driver.contains(key);
  }

  evictCall(key: string): MaybePromise<void> {
    return this.#driver.evict(key);
  }

  /** Keys in order, read a page at a time (nothing is loaded all at once). */
  listCalls(prefix?: string): KeyStream {
    return this.#driver.keys(prefix);
  }

  /** The records a template accepts, filtered in the database (see docs/query.md, "Push-down"). */
  queryCalls(template: RecordTemplate): Iterable<CallRecord> | AsyncIterable<CallRecord> {
    return this.#driver.query(template);
  }

  /** latest()/oldest() as one indexed lookup on the `timestop` column. */
  latestCall(template: RecordTemplate, which: "latest" | "oldest"): MaybePromise<CallRecord | undefined> {
    return this.#driver.extreme(template, which);
  }

  /**
   * Check every record against its checksums (and that it is a valid record at all): a row damaged or
   * edited outside fleche is reported; with `repair` it is deleted. See docs/stores.md, "Integrity".
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    try {
      rejectUnknownKeys("Sql.verify()", options, VERIFY_OPTION_KEYS);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#driver.verify(options);
  }

  /**
   * Resolves once the database is reachable and its schema current; rejects with the reason otherwise.
   * SQLite stores are ready when constructed; PostgreSQL stores connect on first use, or here.
   */
  ready(): Promise<void> {
    return this.#driver.ready();
  }

  /** What the database is and how it is set up (kind, URL, schema version, SQLite journal mode). */
  info(): MaybePromise<SqlInfo> {
    return this.#driver.info();
  }

  /** `{ type: "sql", url }` (and `read_only`); a PostgreSQL password is left out (give it by PGPASSWORD or ~/.pgpass). */
  toConfig(): StoreConfig {
    return configFromSettings(SQL_CONFIG, { url: stripPassword(this.location.url), readOnly: this.#readOnly });
  }

  close(): Promise<void> {
    return this.#driver.close();
  }
}
