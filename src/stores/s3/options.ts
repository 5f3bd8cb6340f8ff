/** The options of an {@link S3Store}, checked and normalised once. */
import { ConfigError } from "../../errors.js";
import { keysOf, rejectUnknownKeys } from "../../known-keys.js";
import { requireSerializer } from "../../serializers/index.js";
import type { Serializer, SerializerName } from "../../serializers/types.js";
import type { Compression } from "../envelope/compression.js";
import { envSecretKeys, parseSecretKeys, type SecretKeyInput } from "../envelope/signing.js";
import { normalizeCompress, normalizeDepth, normalizeMinPartSize } from "../file/options.js";

/**
 * Options of `new S3Store(...)`. Credentials are not options: the AWS SDK finds them in its standard
 * chain (environment variables, shared config and credentials files, SSO, instance and container roles).
 */
export interface S3StoreOptions {
  /** The bucket that holds the store's objects (it must exist; the store never creates buckets). */
  readonly bucket: string;
  /**
   * A key prefix for every object of the store, so several stores can share a bucket: `"team/ml"` keeps
   * values under `team/ml/values/` and call records under `team/ml/calls/`. @default "" (the bucket's root)
   */
  readonly prefix?: string;
  /** The region; defaults to the SDK's chain (`AWS_REGION`, the shared config file). */
  readonly region?: string;
  /** The server's URL, for S3-compatible servers (MinIO, Ceph, R2, GCS interop, ...): `https://minio.example:9000`. */
  readonly endpoint?: string;
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (most self-hosted servers want this). @default false */
  readonly forcePathStyle?: boolean;
  /** How values become bytes (as in FileStore). @default "v8" */
  readonly serializer?: SerializerName;
  /** Compress value objects (`true` means `"gzip"`), as in FileStore. @default false */
  readonly compress?: Compression | boolean;
  /** Sign every object with HMAC-SHA256 (as in FileStore); defaults to `FLECHE_SECRET_KEY`; `[]` turns signing off. */
  readonly secretKey?: SecretKeyInput;
  /** Destructuring depth, as in FileStore (the same value gives the same entries and digests). @default 1 */
  readonly remainingDepth?: number;
  /** Parts estimated smaller stay inside their parent, as in FileStore. @default 65536 (64 KiB) */
  readonly minPartSize?: number | string;
}

/** Every option of {@link S3StoreOptions}; `new S3Store()` rejects any other key. */
export const S3_STORE_OPTION_KEYS = keysOf<S3StoreOptions>()([
  "bucket",
  "prefix",
  "region",
  "endpoint",
  "forcePathStyle",
  "serializer",
  "compress",
  "secretKey",
  "remainingDepth",
  "minPartSize",
]);

/** Checked options. */
export interface NormalizedS3Options {
  readonly bucket: string;
  /** "" or a prefix ending in "/". */
  readonly prefix: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly serializer: Serializer;
  readonly compress: Compression | false;
  readonly keys: Buffer[];
  readonly remainingDepth: number;
  readonly minPartSize: number;
}

/** Check and normalise options; `where` names the call in errors. */
export function normalizeS3Options(options: S3StoreOptions, where: string): NormalizedS3Options {
  if (typeof options !== "object" || options === null) throw new ConfigError(`${where}: expected an options object with a \`bucket\``);
  rejectUnknownKeys(where, options, S3_STORE_OPTION_KEYS);
  return {
    bucket: normalizeBucket(options.bucket, `${where}: \`bucket\``),
    prefix: normalizePrefix(options.prefix, `${where}: \`prefix\``),
    region: options.region === undefined ? undefined : normalizeRegion(options.region, `${where}: \`region\``),
    endpoint: options.endpoint === undefined ? undefined : normalizeEndpoint(options.endpoint, `${where}: \`endpoint\``),
    forcePathStyle: options.forcePathStyle === undefined ? false : normalizeFlag(options.forcePathStyle, `${where}: \`forcePathStyle\``),
    serializer: requireSerializer(options.serializer ?? "v8", `${where}: \`serializer\``),
    compress: normalizeCompress(options.compress, `${where}: \`compress\``),
    keys: options.secretKey === undefined ? envSecretKeys() : parseSecretKeys(options.secretKey, `${where}: \`secretKey\``),
    remainingDepth: normalizeDepth(options.remainingDepth, `${where}: \`remainingDepth\``),
    minPartSize: normalizeMinPartSize(options.minPartSize, `${where}: \`minPartSize\``),
  };
}

/** A bucket name: what S3 and the compatible servers accept (3 to 63 of a-z, 0-9, `.`, `-`, `_`). */
export function normalizeBucket(bucket: unknown, where: string): string {
  if (typeof bucket !== "string" || !/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError(`${where} must be a bucket name (3 to 63 characters: lowercase letters, digits, '.', '-', '_'), got ${JSON.stringify(bucket)}`);
  }
  return bucket;
}

/** A key prefix: "" or ending in "/" (added when missing), never starting with "/". */
export function normalizePrefix(prefix: unknown, where: string): string {
  if (prefix === undefined || prefix === "") return "";
  if (typeof prefix !== "string" || prefix.startsWith("/") || prefix.includes("//") || /[\u0000-\u001f\\]/.test(prefix)) {
    throw new ConfigError(`${where} must be a key prefix such as "team/cache" (no leading '/', no '//', no control characters or '\\'), got ${JSON.stringify(prefix)}`);
  }
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}

export function normalizeRegion(region: unknown, where: string): string {
  if (typeof region !== "string" || !/^[a-z0-9-]+$/i.test(region)) throw new ConfigError(`${where} must be a region name such as "eu-west-1", got ${JSON.stringify(region)}`);
  return region;
}

/**
 * An endpoint URL (http or https). One carrying a user name or password is refused: credentials come
 * from the SDK's chain only, and a URL is written by `toConfig()` and shown in messages.
 */
export function normalizeEndpoint(endpoint: unknown, where: string): string {
  let url: URL | undefined;
  try {
    url = typeof endpoint === "string" ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new ConfigError(`${where} must be an http(s) URL such as "https://minio.example:9000", got ${typeof endpoint === "string" ? "an unparsable string" : JSON.stringify(endpoint)}`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${where} must not carry credentials (they come from the AWS SDK's standard chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, shared files, roles)`);
  }
  return (endpoint as string).replace(/\/+$/, "");
}

export function normalizeFlag(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
