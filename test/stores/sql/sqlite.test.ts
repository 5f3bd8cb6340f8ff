import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sql } from "../../../src/index.js";
import { callStoreSuite } from "../../conformance/call-store.js";

const dir = mkdtempSync(join(tmpdir(), "fleche-sqlite-"));
let n = 0;

callStoreSuite({ name: "Sql (SQLite file)", make: () => new Sql({ url: `sqlite://${dir}/calls-${n++}.db` }), reopen: (store) => new Sql({ url: (store as Sql).location.url }) });
callStoreSuite({ name: "Sql (SQLite :memory:)", make: () => new Sql({ url: ":memory:" }) });
