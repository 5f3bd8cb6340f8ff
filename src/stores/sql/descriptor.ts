/** `type = "sql"` in config files: the descriptor of {@link Sql}, its options in ./config.ts. */
import type { StoreDescriptor } from "../descriptor.js";
import { Sql, type SqlOptions } from "./store.js";
import { SQL_CONFIG } from "./config.js";

/** The SQL store's descriptor: calls only (values go to any value store). */
export const sqlStoreDescriptor: StoreDescriptor<Sql> = {
  ...SQL_CONFIG,
  roles: ["calls"],
  summary: "call records in SQLite or PostgreSQL, queried in the database: calls only",
  create: (options) => new Sql(options as SqlOptions),
};
