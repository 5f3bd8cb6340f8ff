/** `type = "file"` in config files: the descriptor of {@link FileStore}, its options in ./config.ts. */
import { ConfigError } from "../../errors.js";
import type { StoreDescriptor } from "../descriptor.js";
import { FileStore } from "./file-store.js";
import type { FileStoreOptions } from "./options.js";
import { FILE_CONFIG } from "./config.js";
import { SECRET_KEY_ENV, envSecretKeys } from "../envelope/signing.js";

/** The file store's descriptor. */
export const fileStoreDescriptor: StoreDescriptor<FileStore> = {
  ...FILE_CONFIG,
  roles: ["values", "calls"],
  summary: "files in a directory: values and calls, serialized, optionally compressed and signed",
  create(options, context) {
    const { signed, secretKey, ...rest } = options as unknown as FileStoreOptions & { signed?: boolean; secretKey?: Buffer[] };
    // `signed` stands for keys that toConfig() never writes: false turns signing off whatever the
    // environment says, true insists on a key rather than silently building an unsigned store.
    const keys = signed === false ? [] : secretKey;
    if (signed === true && !(keys ?? envSecretKeys()).length) {
      throw new ConfigError(`${context.origin}: this 'file' store is signed, but no key is given: set ${SECRET_KEY_ENV} (colon-separated hex) or \`secret_key\``);
    }
    return new FileStore({ ...rest, ...(keys ? { secretKey: keys } : {}) });
  },
};
