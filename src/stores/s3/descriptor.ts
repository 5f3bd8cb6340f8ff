/** `type = "s3"` in config files: the descriptor of {@link S3Store}, its options in ./config.ts. */
import { ConfigError } from "../../errors.js";
import type { StoreDescriptor } from "../descriptor.js";
import { SECRET_KEY_ENV, envSecretKeys } from "../envelope/signing.js";
import { S3Store } from "./s3-store.js";
import type { S3StoreOptions } from "./options.js";
import { S3_CONFIG } from "./config.js";

/** The S3 store's descriptor. */
export const s3StoreDescriptor: StoreDescriptor<S3Store> = {
  ...S3_CONFIG,
  roles: ["values", "calls"],
  summary: "objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...): values and calls, shared by every machine",
  create(options, context) {
    const { signed, secretKey, ...rest } = options as unknown as S3StoreOptions & { signed?: boolean; secretKey?: Buffer[] };
    // As for FileStore: `signed` stands for keys toConfig() never writes; false turns signing off, true
    // insists on a key rather than silently building an unsigned store.
    const keys = signed === false ? [] : secretKey;
    if (signed === true && !(keys ?? envSecretKeys()).length) {
      throw new ConfigError(`${context.origin}: this 's3' store is signed, but no key is given: set ${SECRET_KEY_ENV} (colon-separated hex) or \`secret_key\``);
    }
    return new S3Store({ ...rest, ...(keys ? { secretKey: keys } : {}) });
  },
};
