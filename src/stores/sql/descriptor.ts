/** `type = "sql"` in config files: the descriptor of {@link Sql}, its options in ./config.ts. */
import { ConfigError } from "../../errors.js";
import type { StoreDescriptor } from "../descriptor.js";
import { Sql, type SqlOptions } from "./store.js";
import { SQL_CONFIG } from "./config.js";
import { SECRET_KEY_ENV, envSecretKeys } from "../envelope/signing.js";

/** The SQL store's descriptor: values, calls, or one database for both. */
export const sqlStoreDescriptor: StoreDescriptor<Sql> = {
  ...SQL_CONFIG,
  roles: ["values", "calls"],
  summary: "values and call records in SQLite or PostgreSQL, queried in the database, with leases on call keys",
  create(options, context) {
    const { signed, secretKey, ...rest } = options as unknown as SqlOptions & { signed?: boolean; secretKey?: Buffer[] };
    // As for files: `signed` stands for keys toConfig() never writes; false turns signing off whatever
    // the environment says, true insists on a key.
    const keys = signed === false ? [] : secretKey;
    if (signed === true && !(keys ?? envSecretKeys()).length) {
      throw new ConfigError(`${context.origin}: this 'sql' store is signed, but no key is given: set ${SECRET_KEY_ENV} (colon-separated hex) or \`secret_key\``);
    }
    return new Sql({ ...rest, ...(keys ? { secretKey: keys } : {}) });
  },
};
