/**
 * The config options of a SQL store (`type = "sql"`): `url` and `read_only`, and for values the
 * FileStore's `serializer`, `compress`, `secret_key` (never written: `signed` is, as for files),
 * `remaining_depth` and `min_part_size`. A file of its own, apart from the descriptor (./descriptor.ts),
 * because `Sql.toConfig()` writes through this list and the descriptor imports `Sql`.
 */
import { ConfigError } from "../../errors.js";
import type { StoreOption, StoreOptionTable } from "../descriptor.js";
import { FILE_CONFIG } from "../file/config.js";

/** FileStore's option of this config name, its doc line prefixed: the value options mean the same here. */
function fileOption(configName: string): StoreOption {
  const option = FILE_CONFIG.options.find((o) => o.configName === configName);
  if (!option) throw new Error(`FileStore has no option ${configName}`);
  return { ...option, doc: `values: ${option.doc.replace("sign files", "sign entries")}` };
}

/** The `type = "sql"` options; `Sql.toConfig()` writes its settings through it. */
export const SQL_CONFIG: StoreOptionTable = {
  type: "sql",
  options: [
    {
      name: "url",
      configName: "url",
      // The URL is written without its password (the store strips it before writing): passwords come
      // from PGPASSWORD or ~/.pgpass, never from a config fleche wrote.
      doc: 'where the records live: "sqlite:///path.db", a bare path, ":memory:" (default) or "postgres://user@host/db"',
      parse: (value, where) => {
        if (typeof value !== "string") throw new ConfigError(`${where} must be a string, got ${JSON.stringify(value)}`);
        return value;
      },
    },
    {
      name: "readOnly",
      configName: "read_only",
      doc: "SQLite: open the database read-only, never writing to it (default false)",
      parse: (value, where) => {
        if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(value)}`);
        return value;
      },
      write: (value) => value || undefined,
    },
    { ...fileOption("serializer"), write: (value) => (value === "v8" ? undefined : value) },
    fileOption("compress"),
    fileOption("secret_key"),
    fileOption("remaining_depth"),
    fileOption("min_part_size"),
    fileOption("signed"),
  ],
};
