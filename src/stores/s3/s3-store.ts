/**
 * `S3Store`: values and call records as objects in an S3 bucket (AWS S3 or any S3-compatible server:
 * MinIO, Ceph, R2, GCS interop), shared by every machine that can reach it. It serves both roles.
 *
 * - Values are `<prefix>values/<key>`: the very bytes a FileStore writes for the entry (envelope,
 *   serializer, compression, signature; `../envelope/codec.ts`), so entries copy between the two as they
 *   are (`rawEntries`). Containers are split into content-addressed entries as FileStore splits them.
 * - Records are `<prefix>calls/<key>.json`, FileStore's record files (`../file/records.ts`).
 * - An object is written by one PUT (large ones by a multipart upload), which S3 makes visible whole or
 *   not at all, so readers never see a torn entry. A corrupt, truncated or tampered object is a miss with
 *   a warning and is removed, so the recomputed value takes its place.
 * - Listing, `childDigests`, `valueWrittenAt` and the default `verify` read object metadata and the
 *   header line (a ranged GET of its first bytes), never a value's body.
 * - A server that cannot be reached fails every request at once after one warning (the calls run
 *   uncached) and is probed again every second; caching resumes when it answers (`../sql/availability.ts`).
 *
 * docs/stores.md ("S3Store") explains the choices, what is atomic and what is not, and the limits.
 */
import { inspect } from "node:util";
import { CacheMiss, SaveError } from "../../errors.js";
import { rejectUnknownKeys } from "../../known-keys.js";
import { digest } from "../../digest/index.js";
import { logger } from "../../log.js";
import type { CallRecord } from "../../call-record.js";
import type { Serializer, SerializerName } from "../../serializers/types.js";
import { isFullKey } from "../keys.js";
import { KnownParts, planEntries } from "../destructure.js";
import { touchTree } from "../touch-tree.js";
import { VERIFY_OPTION_KEYS, type CallStore, type RawEntries, type StoreConfig, type ValueStore, type VerifyOptions, type VerifyReport } from "../types.js";
import type { Compression } from "../envelope/compression.js";
import { Signer } from "../envelope/signing.js";
import { EntryCodec, headerOf } from "../envelope/codec.js";
import { Corrupt } from "../envelope/decoded.js";
import { materialize, type Chain } from "../envelope/materialize.js";
import type { Header } from "../envelope/envelope.js";
import { RecordProblem, decodeRecord, encodeRecord } from "../file/records.js";
import { Freshness, decodeFreshRecord } from "../file/freshness.js";
import { configFromSettings } from "../descriptor.js";
import { S3_CONFIG } from "./config.js";
import { normalizeS3Options, type S3StoreOptions } from "./options.js";
import { S3Objects } from "./objects.js";
import { HEADER_RANGE, checkBody, gather, headerFrom } from "./entry-body.js";
import { verifyObjects } from "./verify.js";
import { readAhead } from "./read-ahead.js";
import { matchesRecord, type RecordTemplate } from "../../query/template.js";

/** The object metadata key holding an entry's number of parts, so a HEAD tells whether there are any. */
const PARTS_META = "fleche-parts";

/** A store of values and call records in an S3 bucket. */
export class S3Store implements ValueStore, CallStore {
  readonly type = "s3";
  readonly bucket: string;
  /** The key prefix of every object ("" or ending in "/"). */
  readonly prefix: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly serializer: SerializerName;
  readonly compress: Compression | false;
  /** Containers at least this deep are split into entries of their own (as in FileStore). */
  readonly remainingDepth: number;
  /** Parts estimated smaller than this many bytes stay inside their parent (as in FileStore). */
  readonly minPartSize: number;
  readonly #known = new KnownParts();
  readonly #signer: Signer;
  readonly #serializer: Serializer;
  readonly #codec: EntryCodec;
  readonly #objects: S3Objects;
  /** The newest signed record write time seen per key (replays of older signed records are refused). */
  readonly #freshness = new Freshness();

  /**
   * @example
   * const store = new S3Store({ bucket: "team-cache", prefix: "ml", compress: "zstd" });
   * const cache = new Cache({ values: store, calls: new Sql({ url: process.env.DATABASE_URL! }) });
   */
  constructor(options: S3StoreOptions) {
    const normalized = normalizeS3Options(options, "new S3Store(...)");
    this.bucket = normalized.bucket;
    this.prefix = normalized.prefix;
    this.region = normalized.region;
    this.endpoint = normalized.endpoint;
    this.forcePathStyle = normalized.forcePathStyle;
    this.serializer = normalized.serializer.name;
    this.compress = normalized.compress;
    this.remainingDepth = normalized.remainingDepth;
    this.minPartSize = normalized.minPartSize;
    this.#serializer = normalized.serializer;
    this.#signer = new Signer(normalized.keys);
    this.#codec = new EntryCodec(this.#signer, this.compress, this.#serializer);
    this.#objects = new S3Objects(normalized);
  }

  /** True when objects are signed (and unsigned or foreign-signed objects are refused). */
  get signed(): boolean {
    return this.#signer.enabled;
  }

  /** The store in messages: bucket, prefix and endpoint (never credentials). */
  get label(): string {
    return this.#objects.label;
  }

  // ---- values ----

  async saveValue(value: unknown, key?: string): Promise<string> {
    if (key !== undefined && !isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.label} under '${key}': keys are 64 lowercase hex digits`);
    const k = key ?? digest(value);
    if (!this.#serializer.ready) await this.#serializer.load();
    const entries = planEntries(value, k, { remainingDepth: this.remainingDepth, minPartSize: this.minPartSize, known: this.#known });
    // A value stored whole (with every part) is left as it is; one absent, or missing a part, is written,
    // children first, so an entry is never visible before its parts.
    if (await this.#complete(k)) return k;
    for (const [i, { key: entryKey, node }] of entries.entries()) {
      if (i < entries.length - 1 && (await this.#complete(entryKey))) continue;
      const encoded = await this.#codec.encode(entryKey, node);
      const parts = node.kind === "whole" ? 0 : node.children.length;
      await this.#put(entryKey, encoded, parts);
    }
    return k;
  }

  async #put(key: string, chunks: readonly Uint8Array[], parts: number): Promise<void> {
    try {
      await this.#objects.put(this.#valueKey(key), chunks, { [PARTS_META]: String(parts) });
    } catch (error) {
      throw asSaveError(`Cannot store value ${key} in ${this.label}`, error);
    }
  }

  /** True when the entry `key` and, transitively, its parts are all stored (HEADs, and header reads of split entries). */
  async #complete(key: string): Promise<boolean> {
    const parts = new Map<string, number | undefined>();
    return touchTree(key, {
      touch: async (k) => {
        const info = await this.#objects.head(this.#valueKey(k));
        if (!info) return false;
        const n = info.metadata[PARTS_META];
        parts.set(k, n === undefined ? undefined : Number(n));
        return true;
      },
      children: async (k) => {
        if (parts.get(k) === 0) return [];
        try {
          return (await this.#header(k)).c ?? [];
        } catch (error) {
          if (error instanceof CacheMiss || error instanceof Corrupt) return undefined; // gone, or unusable: write it again
          throw error;
        }
      },
    });
  }

  /**
   * The header of the entry `key`, from a ranged GET of the object's first bytes (the whole object only
   * when its header line is longer than {@link HEADER_RANGE}). @throws CacheMiss when absent; Corrupt.
   */
  async #header(key: string): Promise<Header> {
    const objectKey = this.#valueKey(key);
    const first = await this.#objects.read(objectKey, async (body) => ({ bytes: await gather(body), total: body.total }), HEADER_RANGE);
    if (!first) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
    const head = headerFrom(first.bytes, first.total);
    if (head) return head.header;
    const whole = await this.#objects.read(objectKey, gather);
    if (!whole) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
    return headerOf(whole);
  }

  async loadValue(key: string): Promise<unknown> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    return this.#load(key, undefined, true);
  }

  /**
   * Load `key`, a part of the entries in `chain` when it has any. With `report`, an unusable object is
   * reported, removed and a miss; without (for `verify`), its problem is thrown as it is.
   */
  async #load(key: string, chain: Chain | undefined, report: boolean): Promise<unknown> {
    try {
      const entry = await this.#objects.read(this.#valueKey(key), (body) => checkBody(this.#codec, key, body));
      if (!entry) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
      const decoded = await this.#codec.decode(entry);
      return await materialize(decoded, { key, parent: chain }, (child, parents) => this.#load(child, parents, report));
    } catch (error) {
      if (!report || !(error instanceof Corrupt)) throw error;
      await this.#discard(this.#valueKey(key), error);
      throw new CacheMiss(key, `Value ${key} in ${this.label} is unusable: ${error.message}`, { cause: error });
    }
  }

  /** Report an unusable object and remove it (unless a newer fleche wrote it), so a recomputation replaces it. */
  async #discard(objectKey: string, problem: Corrupt | RecordProblem): Promise<void> {
    let fate: string;
    if (problem instanceof Corrupt && problem.newer) fate = "it is left in place";
    else {
      fate = await this.#objects.delete(objectKey).then(
        () => "it is removed and will be recomputed",
        (error: unknown) => `it cannot be removed (${(error as Error).message})`,
      );
    }
    logger().warn(`Ignoring s3://${this.bucket}/${objectKey} (${this.label}): ${problem.message}; ${fate}`);
  }

  async containsValue(key: string): Promise<boolean> {
    if (!isFullKey(key)) return false;
    return (await this.#objects.head(this.#valueKey(key))) !== undefined;
  }

  async evictValue(key: string): Promise<void> {
    if (!isFullKey(key)) return;
    await this.#objects.delete(this.#valueKey(key));
  }

  /**
   * When the object was written (its `LastModified`, whole seconds, by the server's clock), so gc spares
   * what another machine stored recently. S3Store has no `touchValue`: see docs/stores.md.
   */
  async valueWrittenAt(key: string): Promise<number | undefined> {
    if (!isFullKey(key)) return undefined;
    return (await this.#objects.head(this.#valueKey(key)))?.modified;
  }

  listValues(prefix?: string): AsyncIterable<string> {
    return this.#list(this.#valueKey(""), "", prefix);
  }

  /** The keys of the entries `key` is assembled from (read from its header line, never its body). */
  async childDigests(key: string): Promise<readonly string[]> {
    if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
    try {
      return (await this.#header(key)).c ?? [];
    } catch (error) {
      if (!(error instanceof Corrupt)) throw error;
      await this.#discard(this.#valueKey(key), error);
      throw new CacheMiss(key, `Value ${key} in ${this.label} is unusable: ${error.message}`, { cause: error });
    }
  }

  /** Objects as their bytes: a transfer to or from another store of the same envelope copies them as they are. */
  readonly rawEntries: RawEntries = {
    read: async (key) => {
      if (!isFullKey(key)) throw new CacheMiss(key, `'${key}' is not a full key`);
      const bytes = await this.#objects.read(this.#valueKey(key), gather);
      if (!bytes) throw new CacheMiss(key, `No value ${key} in ${this.label}`);
      return bytes;
    },
    write: async (key, bytes) => {
      if (!isFullKey(key)) throw new SaveError(`Cannot store a value in ${this.label} under '${key}': keys are 64 lowercase hex digits`);
      let header: Header;
      try {
        header = this.#codec.verify(key, bytes).head.header;
      } catch (error) {
        if (error instanceof Corrupt) return false;
        throw error;
      }
      await this.#put(key, [bytes], header.c?.length ?? 0);
      return true;
    },
  };

  // ---- calls ----

  async saveCall(record: CallRecord): Promise<void> {
    if (!isFullKey(record.key)) throw new SaveError(`Cannot store a call record in ${this.label} under '${record.key}': keys are 64 lowercase hex digits`);
    const bytes = encodeRecord(record, this.#signer, this.#signer.enabled ? this.#freshness.stamp(record.key) : 0);
    try {
      await this.#objects.put(this.#callKey(record.key), [bytes]);
    } catch (error) {
      throw asSaveError(`Cannot store call record ${record.key} in ${this.label}`, error);
    }
  }

  async loadCall(key: string): Promise<CallRecord | undefined> {
    if (!isFullKey(key)) return undefined;
    const objectKey = this.#callKey(key);
    try {
      const bytes = await this.#objects.read(objectKey, gather);
      if (bytes === undefined) return undefined;
      return decodeFreshRecord(bytes, key, this.#signer, this.#freshness);
    } catch (error) {
      const problem = error instanceof Corrupt ? new RecordProblem(error.message) : error;
      if (!(problem instanceof RecordProblem)) throw error;
      await this.#discard(objectKey, problem);
      return undefined;
    }
  }

  async containsCall(key: string): Promise<boolean> {
    if (!isFullKey(key)) return false;
    return (await this.#objects.head(this.#callKey(key))) !== undefined;
  }

  async evictCall(key: string): Promise<void> {
    if (!isFullKey(key)) return;
    await this.#objects.delete(this.#callKey(key));
  }

  listCalls(prefix?: string): AsyncIterable<string> {
    return this.#list(this.#callKey(""), ".json", prefix);
  }

  /**
   * The records matching `template` (exactly what `matchesRecord` accepts): a scan of every record, with
   * several requests in flight (`read-ahead.ts`) instead of one after the other (S3 has no query of its own).
   */
  async *queryCalls(template: RecordTemplate): AsyncGenerator<CallRecord> {
    for await (const record of readAhead(this.listCalls(), (key) => this.loadCall(key))) {
      if (record && matchesRecord(template, record)) yield record;
    }
  }

  // ---- both ----

  /**
   * Check every object without downloading value bodies: each value's header line (a ranged GET), that
   * its length is the one the header records (a truncated or extended object), that a split value's
   * parts exist and it does not contain itself; every call record (small objects, read whole). With
   * `deep`, also download every value and check its check value or signature, decode it and re-hash it
   * against its key. With `repair`, remove what is unusable.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    rejectUnknownKeys("S3Store.verify()", options, VERIFY_OPTION_KEYS);
    return verifyObjects(options, {
      values: () => this.listValues(),
      calls: () => this.listCalls(),
      header: async (key) => {
        const objectKey = this.#valueKey(key);
        const first = await this.#objects.read(objectKey, async (body) => ({ bytes: await gather(body), total: body.total }), HEADER_RANGE);
        if (!first) return undefined;
        const head = headerFrom(first.bytes, first.total) ?? (await this.#wholeHead(objectKey));
        return { header: head.header, length: first.total - head.payloadStart };
      },
      load: (key) => this.#load(key, undefined, false),
      record: async (key) => {
        const bytes = await this.#objects.read(this.#callKey(key), gather);
        if (bytes !== undefined) decodeRecord(bytes, key, this.#signer);
        return bytes !== undefined;
      },
      removeValue: (key) => this.#objects.delete(this.#valueKey(key)),
      removeCall: (key) => this.#objects.delete(this.#callKey(key)),
    });
  }

  async #wholeHead(objectKey: string): Promise<{ header: Header; payloadStart: number }> {
    const whole = await this.#objects.read(objectKey, gather);
    if (!whole) throw new Corrupt("it disappeared while it was read");
    const head = headerFrom(whole, whole.length);
    if (!head) throw new Corrupt("truncated inside the header line");
    return head;
  }

  toConfig(): StoreConfig {
    // Through the config option list, so what is written is what config files accept. Credentials are
    // never options; signing keys never leave the store (`signed` says a rebuilt store needs them).
    const { bucket, prefix, region, endpoint, forcePathStyle, serializer, compress, remainingDepth, minPartSize, signed } = this;
    return configFromSettings(S3_CONFIG, { bucket, prefix, region, endpoint, forcePathStyle, serializer, compress, remainingDepth, minPartSize, signed });
  }

  /** How `console.log` and `util.inspect` show the store: its settings, with signing keys counted, never shown. */
  [inspect.custom](): string {
    const keys = this.#signer.count;
    const where = this.endpoint ? `endpoint: ${JSON.stringify(this.endpoint)}, ` : "";
    return `S3Store { bucket: ${JSON.stringify(this.bucket)}, prefix: ${JSON.stringify(this.prefix)}, ${where}serializer: '${this.serializer}', compress: ${this.compress ? `'${this.compress}'` : "false"}, signed: ${keys ? `${keys} key${keys > 1 ? "s" : ""} (redacted)` : "no"} }`;
  }

  /** Release the client's connections. The store cannot be used afterwards. */
  async close(): Promise<void> {
    this.#objects.close();
  }

  // ---- internals ----

  #valueKey(key: string): string {
    return `${this.prefix}values/${key}`;
  }

  #callKey(key: string): string {
    return key === "" ? `${this.prefix}calls/` : `${this.prefix}calls/${key}.json`;
  }

  /** Keys under `base` (with `suffix` removed) starting with the hex `prefix`, streamed page by page. */
  async *#list(base: string, suffix: string, prefix?: string): AsyncGenerator<string> {
    const p = (prefix ?? "").toLowerCase();
    if (!/^[0-9a-f]*$/.test(p)) return;
    for await (const objectKey of this.#objects.list(base + p)) {
      if (!objectKey.endsWith(suffix)) continue;
      const key = objectKey.slice(base.length, objectKey.length - suffix.length);
      if (isFullKey(key)) yield key;
    }
  }
}

/** A failed write as a SaveError; an outage (StoreUnavailable) and a configuration problem stay what they are. */
function asSaveError(what: string, error: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: string }).code === "FLECHE_UNAVAILABLE" || (error as { code?: string }).code === "FLECHE_CONFIG") return error;
  return new SaveError(`${what}: ${error.message}`, { cause: error });
}
