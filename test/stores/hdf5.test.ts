import { after } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hdf5Store } from "../../src/index.js";
import { valueStoreSuite } from "../../src/testing/value-store.js";
import { callStoreSuite } from "../../src/testing/call-store.js";

const base = mkdtempSync(join(tmpdir(), "fleche-hdf5-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = (prefixLength?: number) => () => new Hdf5Store({ root: join(base, `s${n++}`), ...(prefixLength === undefined ? {} : { prefixLength }) });
const reopen = (store: unknown) => Hdf5Store.fromConfig((store as Hdf5Store).toConfig());

valueStoreSuite({ name: "Hdf5Store (prefix files)", make: fresh(), reopen, touches: true });
valueStoreSuite({ name: "Hdf5Store (one file per key)", make: fresh(0), reopen, touches: true });
callStoreSuite({ name: "Hdf5Store (prefix files)", make: fresh(), reopen });
callStoreSuite({ name: "Hdf5Store (one file per key)", make: fresh(0), reopen });
