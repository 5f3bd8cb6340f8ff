/**
 * A file store from its config table (`type = "file"`), with snake_case options as in the original:
 * `root`, `serializer`, `compress`, `secret_key` (hex strings), `remaining_depth`, `min_part_size`, and `signed`, which
 * `toConfig()` writes instead of the keys: a signed store rebuilt from config must find its keys in
 * `secret_key` or `FLECHE_SECRET_KEY`, or it refuses to start rather than silently stop checking.
 */
import { ConfigError } from "../../errors.js";
import { checkOptions, type StoreContext } from "../registry.js";
import { FileStore } from "./file-store.js";
import { normalizeCompress, normalizeDepth, normalizeMinPartSize, normalizeRoot } from "./options.js";
import { SECRET_KEY_ENV, envSecretKeys, parseSecretKeys } from "./signing.js";
import { isSerializerName, SERIALIZER_NAMES } from "../../serializers/index.js";

const OPTIONS = ["root", "serializer", "compress", "secret_key", "remaining_depth", "min_part_size", "signed"] as const;

/** The registry factory of `type = "file"`. */
export function fileStoreFromConfig(options: Readonly<Record<string, unknown>>, context: StoreContext): FileStore {
  checkOptions(options, OPTIONS, context, "file");
  const where = (option: string) => `${context.origin}: option \`${option}\` of a 'file' store`;
  if (options.root === undefined) throw new ConfigError(`${context.origin}: a 'file' store needs a \`root\` directory`);
  const root = normalizeRoot(options.root, where("root"));
  const serializer = options.serializer ?? "v8";
  if (!isSerializerName(serializer)) {
    throw new ConfigError(`${where("serializer")} must be one of ${SERIALIZER_NAMES.join(", ")}, got ${JSON.stringify(serializer)}`);
  }
  const compress = normalizeCompress(options.compress, where("compress"));
  const remainingDepth = normalizeDepth(options.remaining_depth, where("remaining_depth"));
  const minPartSize = normalizeMinPartSize(options.min_part_size, where("min_part_size"));
  const signed = options.signed;
  if (signed !== undefined && typeof signed !== "boolean") throw new ConfigError(`${where("signed")} must be true or false`);
  let keys = options.secret_key === undefined ? undefined : parseSecretKeys(options.secret_key, where("secret_key"));
  if (signed === false) keys = [];
  if (signed === true && !(keys ?? envSecretKeys()).length) {
    throw new ConfigError(`${context.origin}: this 'file' store is signed, but no key is given: set ${SECRET_KEY_ENV} (colon-separated hex) or \`secret_key\``);
  }
  return new FileStore({ root, serializer, compress, remainingDepth, minPartSize, ...(keys ? { secretKey: keys } : {}) });
}
