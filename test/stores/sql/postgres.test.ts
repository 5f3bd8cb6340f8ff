import { after } from "node:test";
import { Sql } from "../../../src/index.js";
import { callStoreSuite } from "../../conformance/call-store.js";
import { dropDatabases, freshDatabase } from "../../helpers/postgres.js";

after(dropDatabases);

callStoreSuite({
  name: "Sql (PostgreSQL)",
  make: async () => new Sql({ url: await freshDatabase() }),
  reopen: (store) => new Sql({ url: (store as Sql).location.url }),
});
