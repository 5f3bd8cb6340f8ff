/**
 * The config options of a file store (`type = "file"`), snake_case as in the original: `root`,
 * `serializer`, `compress`, `secret_key` (hex strings), `remaining_depth`, `min_part_size`, and `signed`,
 * which `toConfig()` writes instead of the keys: a signed store rebuilt from config must find its keys in
 * `secret_key` or `FLECHE_SECRET_KEY`, or it refuses to start rather than silently stop checking.
 *
 * A file of its own, apart from the descriptor (./descriptor.ts), because `FileStore.toConfig()` writes
 * through this list and the descriptor imports `FileStore`.
 */
import { ConfigError } from "../../errors.js";
import type { StoreOptionTable } from "../descriptor.js";
import { DEFAULT_MIN_PART_SIZE, DEFAULT_REMAINING_DEPTH } from "../destructure.js";
import { normalizeCompress, normalizeDepth, normalizeMinPartSize, normalizeRoot } from "./options.js";
import { parseSecretKeys } from "../envelope/signing.js";
import { isSerializerName, SERIALIZER_NAMES } from "../../serializers/index.js";

/** The `type = "file"` options; `FileStore.toConfig()` writes its settings through it. */
export const FILE_CONFIG: StoreOptionTable = {
  type: "file",
  options: [
    { name: "root", configName: "root", required: true, doc: "the directory; created with the first write; `~` is the home directory", parse: normalizeRoot },
    {
      name: "serializer",
      configName: "serializer",
      doc: 'how values become bytes: "v8" (default), "json" or "msgpack"',
      parse: (value, where) => {
        if (!isSerializerName(value)) throw new ConfigError(`${where} must be one of ${SERIALIZER_NAMES.join(", ")}, got ${JSON.stringify(value)}`);
        return value;
      },
    },
    {
      name: "compress",
      configName: "compress",
      doc: '"gzip", "brotli", "zstd" (or true for gzip); false (default) writes uncompressed files',
      parse: normalizeCompress,
      write: (value) => value || undefined,
    },
    {
      name: "secretKey",
      configName: "secret_key",
      doc: "keys to sign files with: hex (colon-separated for several) or a list; never written by toConfig()",
      secret: true,
      parse: parseSecretKeys,
    },
    {
      name: "remainingDepth",
      configName: "remaining_depth",
      doc: "destructuring depth; inf keeps containers whole (default 1)",
      parse: normalizeDepth,
      write: (value) => (value === DEFAULT_REMAINING_DEPTH ? undefined : value),
    },
    {
      name: "minPartSize",
      configName: "min_part_size",
      doc: 'parts estimated smaller stay inside their parent: bytes, a size ("1MiB"), 0 or inf (default 64 KiB)',
      parse: normalizeMinPartSize,
      write: (value) => (value === DEFAULT_MIN_PART_SIZE ? undefined : value),
    },
    {
      configName: "signed",
      doc: "written instead of the keys: a signed store rebuilt from config needs a key in secret_key or FLECHE_SECRET_KEY",
      parse: (value, where) => {
        if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false`);
        return value;
      },
      write: (value) => value || undefined,
    },
  ],
};
