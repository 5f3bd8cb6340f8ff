/**
 * The config options of an S3 store (`type = "s3"`), snake_case: `bucket`, `prefix`, `region`,
 * `endpoint`, `force_path_style`, and the FileStore's `serializer`, `compress`, `secret_key`,
 * `remaining_depth`, `min_part_size` and `signed` (written instead of the keys). Credentials are never
 * options: the AWS SDK's standard chain provides them.
 *
 * A file of its own, apart from the descriptor (./descriptor.ts), because `S3Store.toConfig()` writes
 * through this list and the descriptor imports `S3Store`.
 */
import type { StoreOptionTable } from "../descriptor.js";
import { FILE_CONFIG } from "../file/config.js";
import { normalizeBucket, normalizeEndpoint, normalizeFlag, normalizePrefix, normalizeRegion } from "./options.js";

/** FileStore's options for the entries' bytes, shared so that both stores write the same envelopes. */
const ENVELOPE_OPTIONS = FILE_CONFIG.options.filter((o) => o.configName !== "root");

/** The `type = "s3"` options; `S3Store.toConfig()` writes its settings through it. */
export const S3_CONFIG: StoreOptionTable = {
  type: "s3",
  options: [
    { name: "bucket", configName: "bucket", required: true, doc: "the bucket (it must exist; the store never creates one)", parse: normalizeBucket },
    {
      name: "prefix",
      configName: "prefix",
      doc: 'a key prefix, so stores can share a bucket: objects go under `<prefix>/values/` and `<prefix>/calls/` (default: the bucket\'s root)',
      parse: normalizePrefix,
      write: (value) => value || undefined,
    },
    { name: "region", configName: "region", doc: "the region (default: the AWS SDK's chain, e.g. `AWS_REGION`)", parse: normalizeRegion },
    { name: "endpoint", configName: "endpoint", doc: "the URL of an S3-compatible server (MinIO, Ceph, R2, ...); default: AWS S3", parse: normalizeEndpoint },
    {
      name: "forcePathStyle",
      configName: "force_path_style",
      doc: "address buckets as `endpoint/bucket` (most self-hosted servers need true); default false",
      parse: normalizeFlag,
      write: (value) => value || undefined,
    },
    ...ENVELOPE_OPTIONS.map((option) => (option.configName === "secret_key" ? { ...option, doc: "keys to sign objects with: hex (colon-separated for several) or a list; never written by toConfig()" } : option)),
  ],
};
