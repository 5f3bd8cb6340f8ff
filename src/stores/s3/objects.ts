/**
 * The S3 requests an {@link S3Store} makes, in one place: whole and ranged GETs, HEAD, PUT (multipart
 * above {@link MULTIPART_THRESHOLD}), DELETE and paged listing, each through the store's
 * {@link Availability} (a server that is away fails fast after one warning) and with the SDK's errors
 * turned into fleche's: an absent object is `undefined`, refused credentials and a missing bucket are a
 * `ConfigError` naming the bucket and the endpoint (never a credential: the SDK's message is not
 * repeated, only the error's name), anything else a `FLECHE_IO` error naming the object.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { ConfigError, FlecheError } from "../../errors.js";
import { Availability } from "../sql/availability.js";
import { loadS3, loadStorage, quietClient, type S3Module } from "./sdk.js";
import type { NormalizedS3Options } from "./options.js";

/** Bodies larger than this go up in parts (multipart upload), several at once. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** The size of each part of a multipart upload. */
export const PART_SIZE = 16 * 1024 * 1024;
/** The most parts S3 accepts in one upload. */
const MAX_PARTS = 10_000;
/** Parts uploaded at once. */
const PART_QUEUE = 4;
/** Keys per listing page (the S3 maximum). */
const PAGE = 1000;

/** What a HEAD tells. */
export interface ObjectInfo {
  readonly size: number;
  /** Last write, ms since the epoch (S3 keeps seconds). */
  readonly modified: number | undefined;
  /** The object's user metadata (`x-amz-meta-*`, keys in lowercase). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** A GET's response: its length and its body as a stream of chunks. */
export interface ObjectBody {
  /** The bytes in this body (for a ranged GET, at most the range). */
  readonly size: number;
  /** The object's whole length. */
  readonly total: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** Error names that mean "these credentials are not accepted here". */
const REFUSED = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AuthorizationHeaderMalformed",
  "InvalidClientTokenId",
  "CredentialsProviderError",
  "UnrecognizedClientException",
]);

/** The objects of one store: a bucket, a key prefix, one client. */
export class S3Objects {
  /** Names the store in messages: bucket, prefix and endpoint, never credentials. */
  readonly label: string;
  readonly #options: NormalizedS3Options;
  readonly #availability: Availability;
  #client: Promise<{ client: S3Client; sdk: S3Module }> | undefined;
  #closed = false;

  constructor(options: NormalizedS3Options) {
    this.#options = options;
    this.label = `S3Store s3://${options.bucket}/${options.prefix} at ${options.endpoint ?? `AWS S3${options.region ? ` (${options.region})` : ""}`}`;
    this.#availability = new Availability(this.label);
  }

  /**
   * Read the object `key` with `consume` (its length and its body as chunks), inside the availability
   * guard, so a connection cut while the body streams counts as the server going away. `range` asks for
   * the object's first bytes only. Undefined when the object is absent.
   */
  async read<T>(key: string, consume: (body: ObjectBody) => Promise<T>, range?: number): Promise<T | undefined> {
    return this.#send(key, async ({ client, sdk }) => {
      let body: ObjectBody;
      try {
        const out = await client.send(
          new sdk.GetObjectCommand({ Bucket: this.#options.bucket, Key: key, ...(range === undefined ? {} : { Range: `bytes=0-${range - 1}` }) }),
        );
        const size = out.ContentLength ?? 0;
        const total = Number(/\/(\d+)$/.exec(out.ContentRange ?? "")?.[1] ?? size);
        body = { size, total, chunks: (out.Body as AsyncIterable<Uint8Array> | undefined) ?? emptyChunks() };
      } catch (error) {
        if (isAbsent(error) || (range !== undefined && errorName(error) === "InvalidRange")) return undefined; // an empty object has no first bytes
        throw error;
      }
      return consume(body);
    });
  }

  /** Length and last write of an object; undefined when absent. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    return this.#send(key, async ({ client, sdk }) => {
      try {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket: this.#options.bucket, Key: key }));
        return { size: out.ContentLength ?? 0, modified: out.LastModified?.getTime(), metadata: out.Metadata ?? {} };
      } catch (error) {
        if (isAbsent(error)) return undefined;
        throw error;
      }
    });
  }

  /**
   * Write `chunks` (with user `metadata`) as the object `key`, replacing any earlier one (S3 writes are
   * atomic: readers see the old object or the new one, never a part). Above {@link MULTIPART_THRESHOLD}
   * in parts; an upload that fails is aborted (its parts removed).
   */
  async put(key: string, chunks: readonly Uint8Array[], metadata: Readonly<Record<string, string>> = {}): Promise<void> {
    const size = chunks.reduce((n, c) => n + c.byteLength, 0);
    if (size <= MULTIPART_THRESHOLD) {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      await this.#send(key, ({ client, sdk }) => client.send(new sdk.PutObjectCommand({ Bucket: this.#options.bucket, Key: key, Body: body, ContentLength: size, Metadata: { ...metadata } })));
      return;
    }
    const { Upload } = await loadStorage(this.label);
    await this.#send(key, async ({ client }) => {
      const upload = new Upload({
        client,
        // One buffer, which the upload slices into parts without copying (a stream would be copied
        // into part buffers chunk by chunk, measurably slower); joining costs one copy of the body.
        params: { Bucket: this.#options.bucket, Key: key, Body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), Metadata: { ...metadata } },
        partSize: Math.max(PART_SIZE, Math.ceil(size / MAX_PARTS)), // S3 takes at most 10,000 parts
        queueSize: PART_QUEUE,
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  /** Remove the object (absent is fine). */
  async delete(key: string): Promise<void> {
    await this.#send(key, ({ client, sdk }) => client.send(new sdk.DeleteObjectCommand({ Bucket: this.#options.bucket, Key: key })));
  }

  /** The keys starting with `prefix`, page by page (1000 a request), in key order. */
  async *list(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.#send(prefix, ({ client, sdk }) =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: this.#options.bucket, Prefix: prefix, MaxKeys: PAGE, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Release the client's sockets. */
  close(): void {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    void client?.then(({ client: c }) => c.destroy(), () => undefined);
  }

  /** Run a request on the client through the availability guard, translating what the SDK throws. */
  async #send<T>(key: string, op: (ctx: { client: S3Client; sdk: S3Module }) => Promise<T>): Promise<T> {
    const ctx = await this.#connect();
    try {
      return await this.#availability.run(() => op(ctx));
    } catch (error) {
      throw this.#translate(key, error);
    }
  }

  #connect(): Promise<{ client: S3Client; sdk: S3Module }> {
    if (this.#closed) return Promise.reject(new FlecheError(`${this.label}: the store is closed`, "FLECHE_CLOSED"));
    this.#client ??= loadS3(this.label).then((sdk) => {
      const { region, endpoint, forcePathStyle } = this.#options;
      const client = quietClient(sdk, {
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
        forcePathStyle,
        // Checksums of whole bodies are fleche's own (every entry carries a check value or signature);
        // the SDK's default CRC32 trailers are not understood by every S3-compatible server.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      return { client, sdk };
    });
    this.#client.catch(() => (this.#client = undefined));
    return this.#client;
  }

  /** An SDK error as fleche's (see the module comment); StoreUnavailable and fleche's own pass as they are. */
  #translate(key: string, error: unknown): unknown {
    if (error instanceof FlecheError || !fromSdk(error)) return error; // fleche's own, or a consumer's (a corrupt body)
    const name = errorName(error);
    const where = `${this.label}`;
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (REFUSED.has(name) || /credential/i.test(name) || status === 403) {
      // No cause and no SDK message: both may carry request details; the name says what was refused
      // (a HEAD's 403 has no body, hence no name: its status says it).
      return new ConfigError(
        `${where}: the credentials were refused (${REFUSED.has(name) || /credential/i.test(name) ? name : name === "Unknown" || name === "Error" ? "HTTP 403" : `HTTP 403 ${name}`}), or they may not access this bucket; they come from the AWS SDK's standard chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, shared config and credentials files, instance or container roles)`,
      );
    }
    if (name === "NoSuchBucket") return new ConfigError(`${where}: the bucket '${this.#options.bucket}' does not exist (create it first; the store never creates buckets)`);
    if (/Region is missing/i.test((error as Error)?.message ?? "")) return new ConfigError(`${where}: no region is configured: set the store's \`region\` or AWS_REGION`);
    return new FlecheError(`${where}: request for '${key}' failed (${name}: ${(error as Error)?.message ?? String(error)})`, "FLECHE_IO", { cause: error });
  }
}

/** The SDK error's name (`NoSuchKey`, `AccessDenied`, ...), or its Node code. */
export function errorName(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown } | undefined;
  if (typeof e?.Code === "string") return e.Code;
  if (typeof e?.name === "string" && e.name !== "Error") return e.name;
  return typeof e?.code === "string" ? e.code : "Error";
}

function isAbsent(error: unknown): boolean {
  const name = errorName(error);
  return name === "NoSuchKey" || name === "NotFound" || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404 && name !== "NoSuchBucket";
}

/** Errors of the SDK (service errors carry `$metadata`) or of the network (a Node `code`), not of a body's consumer. */
function fromSdk(error: unknown): boolean {
  const e = error as { $metadata?: unknown; code?: unknown; name?: unknown } | undefined;
  return e?.$metadata !== undefined || typeof e?.code === "string" || (typeof e?.name === "string" && /Credential|Token|Region/.test(e.name)) || /Region is missing/i.test((error as Error)?.message ?? "");
}

async function* emptyChunks(): AsyncGenerator<Uint8Array> {}
