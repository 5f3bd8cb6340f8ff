/**
 * `Sql`: values and call records in SQL: queries that run in the database (by function, argument value,
 * metadata and time), a cache shared between processes (SQLite) and machines (PostgreSQL), leases so
 * that one of them computes a call at a time. Either role or both: values are rows of envelope bytes,
 * the same bytes FileStore writes to files (`values.ts`).
 *
 * @example
 * const pg = new Sql({ url: "postgres://fleche@db.internal/cache" }); // password from PGPASSWORD or ~/.pgpass
 * new Cache({ values: pg, calls: pg })
 * new Cache({ values: new FileStore({ root: "cache/values" }), calls: new Sql({ url: "sqlite:///cache/calls.db" }) })
 */
import { inspect } from "node:util";
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
import {
  VERIFY_OPTION_KEYS,
  type CallStore,
  type KeyStream,
  type RawEntries,
  type ResultRef,
  type StoreConfig,
  type ValueStore,
  type VerifyOptions,
  type VerifyReport,
} from "../types.js";
import type { Leases } from "../leases.js";
import type { SqlDriver, SqlInfo } from "./driver.js";
import type { SerializerName } from "../../serializers/types.js";
import type { Compression } from "../envelope/compression.js";
import { Signer, envSecretKeys, parseSecretKeys, type SecretKeyInput } from "../envelope/signing.js";
import { EntryCodec } from "../envelope/codec.js";
import { requireSerializer } from "../../serializers/index.js";
import { normalizeCompress, normalizeDepth, normalizeMinPartSize } from "../file/options.js";
import { SqlValues } from "./values.js";
import { offerRow } from "./prefetch.js";
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
  /** Values: how they become bytes (as FileStore's option). @default "v8" */
  readonly serializer?: SerializerName;
  /** Values: compress entries (`true` means `"gzip"`; `"zstd"` needs zstd-napi), as FileStore's option. @default false */
  readonly compress?: Compression | boolean;
  /**
   * Values: sign every entry with HMAC-SHA256, as FileStore's option: hex (colon-separated for several),
   * bytes, or a list; the first signs, all verify. Defaults to `FLECHE_SECRET_KEY`; `[]` turns signing off.
   */
  readonly secretKey?: SecretKeyInput;
  /** Values: containers at least this deep are entries of their own (as FileStore's option). @default 1 */
  readonly remainingDepth?: number;
  /** Values: parts estimated smaller stay inside their parent (as FileStore's option). @default 65536 */
  readonly minPartSize?: number | string;
}

/** Every option of {@link SqlOptions}; `new Sql()` rejects any other key. */
export const SQL_OPTION_KEYS = keysOf<SqlOptions>()(["url", "readOnly", "serializer", "compress", "secretKey", "remainingDepth", "minPartSize"]);

/**
 * The SQL store (SQLite or PostgreSQL): values, call records, or both, and leases on call keys. SQLite
 * answers synchronously, PostgreSQL with promises.
 */
export class Sql implements CallStore, ValueStore {
  readonly type = "sql";
  /** Where the records live (SQLite paths resolved to absolute ones). */
  readonly location: SqlLocation;
  /** How values become bytes. */
  readonly serializer: SerializerName;
  /** How value entries are compressed, or false. */
  readonly compress: Compression | false;
  /** Containers at least this deep are split into entries of their own. */
  readonly remainingDepth: number;
  /** Parts estimated smaller than this many bytes stay inside their parent. */
  readonly minPartSize: number;
  /**
   * Leases on call keys (`stores/leases.ts`): on SQLite decided on the local clock, without `changed`
   * (waiters poll); on PostgreSQL on the server's clock, with `changed` woken by `NOTIFY`. Absent on a
   * read-only SQLite database, where taking a lease would write.
   */
  readonly leases: Leases | undefined;
  readonly #driver: SqlDriver;
  readonly #readOnly: boolean;
  readonly #signer: Signer;
  readonly #values: SqlValues;

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
    const serializer = requireSerializer(options.serializer ?? "v8", `${label}: \`serializer\``);
    this.serializer = serializer.name;
    this.compress = normalizeCompress(options.compress, `${label}: \`compress\``);
    this.remainingDepth = normalizeDepth(options.remainingDepth, `${label}: \`remainingDepth\``);
    this.minPartSize = normalizeMinPartSize(options.minPartSize, `${label}: \`minPartSize\``);
    this.#signer = new Signer(options.secretKey === undefined ? envSecretKeys() : parseSecretKeys(options.secretKey, `${label}: \`secretKey\``));
    this.#driver =
      this.location.kind === "sqlite" ? new SqliteDriver(this.location, label, { readOnly: this.#readOnly }) : new PostgresDriver(this.location, label);
    this.leases = this.#driver.leases;
    const codec = new EntryCodec(this.#signer, this.compress, serializer);
    this.#values = new SqlValues(this.#driver.values, codec, { remainingDepth: this.remainingDepth, minPartSize: this.minPartSize }, label, this.location.url);
    this.rawEntries = this.#values.raw;
    const database = this.location.url;
    this.#driver.onValueRead = (key, bytes) => offerRow(database, key, bytes);
    const driver = this.#driver;
    this.catalog = sqlCatalog({
      dialect: this.location.kind === "sqlite" ? sqlite : postgres,
      select: (sql, params) => driver.select(sql, params),
      column: (sql, params) => driver.selectColumn(sql, params),
      load: (key) => driver.load(key),
      records: async function* (template) {
        yield* driver.query(template);
      },
    });
  }

  /** True when value entries are signed (and unsigned or foreign-signed entries are refused). */
  get signed(): boolean {
    return this.#signer.enabled;
  }

  /** Tallies, pages and counts answered in the database (`fleche stats`, `fleche ui`; see `stores/catalog.ts`). */
  readonly catalog: CallCatalog;

  /** The URL without any password. */
  get url(): string {
    return redactUrl(this.location.url);
  }

  // ---- values ----

  /** Store `value` (split into entries as FileStore does); a value already stored is touched instead. */
  saveValue(value: unknown, key?: string): MaybePromise<string> {
    return this.#values.save(value, key);
  }

  loadValue(key: string): MaybePromise<unknown> {
    return this.#values.load(key);
  }

  containsValue(key: string): MaybePromise<boolean> {
    return this.#values.contains(key);
  }

  evictValue(key: string): MaybePromise<void> {
    return this.#values.evict(key);
  }

  /** Value keys in order, read a page at a time. */
  listValues(prefix?: string): KeyStream {
    return this.#values.list(prefix);
  }

  /** The keys of the parts of `key`, from the `children` column (the body is not read). */
  childDigests(key: string): MaybePromise<readonly string[]> {
    return this.#values.childDigests(key);
  }

  /** When the entry was written or last touched (its `touched_at`, on the writer's clock). */
  valueWrittenAt(key: string): MaybePromise<number | undefined> {
    return this.#values.writtenAt(key);
  }

  /** Refresh `touched_at` of the entry and, transitively, of its parts; false when one is absent. */
  touchValue(key: string): MaybePromise<boolean> {
    return this.#values.touch(key);
  }

  /** One `DELETE ... WHERE touched_at <= cutoff`: atomic with respect to touches and saves. */
  evictValueIfStale(key: string, cutoff: number): MaybePromise<boolean> {
    return this.#values.evictIfStale(key, cutoff);
  }

  /** Value entries as their envelope bytes, the same as FileStore's files. */
  readonly rawEntries: RawEntries;

  // ---- calls ----

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
   * Check every record against its checksums (and that it is a valid record at all), then every value
   * entry as a load would (with `deep`, decoded and re-hashed): what is damaged or edited outside
   * fleche is reported; with `repair` it is deleted. See docs/stores.md, "Integrity".
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    rejectUnknownKeys("Sql.verify()", options, VERIFY_OPTION_KEYS);
    const calls = await this.#driver.verify(options);
    const progress = options.onProgress;
    const values = await this.#values.verify({
      ...options,
      ...(progress ? { onProgress: (done: number, total?: number) => progress(calls.checked + done, total === undefined ? undefined : calls.checked + total) } : {}),
    });
    return { checked: calls.checked + values.checked, problems: [...calls.problems, ...values.problems], removed: calls.removed + values.removed };
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

  /**
   * `{ type: "sql", url }` and the settings that differ from the defaults; a PostgreSQL password is left
   * out (give it by PGPASSWORD or ~/.pgpass), and so are signing keys (`signed = true` says they are needed).
   */
  toConfig(): StoreConfig {
    const { serializer, compress, remainingDepth, minPartSize, signed } = this;
    return configFromSettings(SQL_CONFIG, { url: stripPassword(this.location.url), readOnly: this.#readOnly, serializer, compress, remainingDepth, minPartSize, signed });
  }

  /** How `console.log` shows the store: URL without password, settings, signing keys counted, never shown. */
  [inspect.custom](): string {
    const keys = this.#signer.count;
    return `Sql { url: ${JSON.stringify(this.url)}, serializer: '${this.serializer}', compress: ${this.compress ? `'${this.compress}'` : "false"}, signed: ${keys ? `${keys} key${keys > 1 ? "s" : ""} (redacted)` : "no"} }`;
  }

  close(): Promise<void> {
    return this.#driver.close();
  }
}
