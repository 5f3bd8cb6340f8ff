/**
 * The UI's endpoints answer the same over every call store we ship: FileStore records (scanned),
 * SQLite and PostgreSQL (the catalog push-down), filled with the same calls; and they refuse bad
 * parameters with 400 naming the parameter.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Cache, FileStore, Sql } from "../../src/index.js";
import { createApi, type Api } from "../../src/ui/api.js";
import { tempDirs } from "../helpers/temp.js";
import { dropDatabases, freshDatabase } from "../helpers/postgres.js";
import { populateUiCache, T0 } from "./fixture.js";

after(dropDatabases);
const dirs = tempDirs("ui-api");

describe("UI endpoints over FileStore, SQLite and PostgreSQL records", () => {
  const apis = new Map<string, Api>();
  const caches: Cache[] = [];
  before(async () => {
    const stores = {
      FileStore: () => new FileStore({ root: join(dirs(), "calls") }),
      SQLite: () => new Sql({ url: join(dirs(), "calls.db") }),
      PostgreSQL: async () => new Sql({ url: await freshDatabase() }),
    };
    for (const [kind, calls] of Object.entries(stores)) {
      const cache = new Cache({ values: new FileStore({ root: join(dirs(), "values") }), calls: await calls() });
      await populateUiCache(cache);
      caches.push(cache);
      apis.set(kind, createApi(cache, { allowEvict: false }));
    }
  });
  after(async () => {
    for (const cache of caches) await cache.close();
  });

  const ask = async (api: Api, path: string, method = "GET") => (await api.answer(method, new URL(path, "http://ui.invalid")))!;

  it("the same answers from every store", async () => {
    const paths = [
      "/api/functions",
      "/api/tallies",
      "/api/calls?name=square&offset=50&limit=20",
      "/api/calls?name=train&tag=project=alpha&limit=100",
      `/api/calls?from=${T0}&to=${T0 + 50_000}`,
      "/api/calls?args=%7B%22x%22%3A7%7D",
      "/api/calls?version=2&limit=7",
      "/api/count?tag=project=beta",
      "/api/count?name=train&version=%222%22",
      "/api/runtimes?name=train&limit=10",
    ];
    for (const path of paths) {
      const [first, ...others] = await Promise.all([...apis.values()].map((api) => ask(api, path)));
      assert.equal(first!.status, 200, path);
      for (const other of others) assert.deepEqual(other, first, path);
    }
    const count = (await ask(apis.get("SQLite")!, "/api/count?name=train&version=2")).body as { count: number };
    assert.equal(count.count, 30);
    const none = (await ask(apis.get("SQLite")!, "/api/count?name=train&version=%222%22")).body as { count: number };
    assert.equal(none.count, 0, 'the version "2" is not the version 2');
  });

  it("storage: the same values and bytes by function", async () => {
    const answers = await Promise.all([...apis.values()].map(async (api) => (await ask(api, "/api/storage")).body as { functions: unknown[] }));
    for (const other of answers.slice(1)) assert.deepEqual(other.functions, answers[0]!.functions);
  });

  it("one call in full by key prefix; unknown keys are 404, bad parameters 400, writes 403 or 405", async () => {
    const api = apis.get("SQLite")!;
    const page = (await ask(api, "/api/calls?name=evaluate&limit=1")).body as { rows: { key: string }[] };
    const key = page.rows[0]!.key;
    const call = await ask(api, `/api/call/${key.slice(0, 12)}`);
    assert.equal(call.status, 200);
    const body = call.body as { record: { key: string }; arguments: { name: string; type: string; shape: number[] }[]; why: { verdict: string } };
    assert.equal(body.record.key, key);
    assert.deepEqual([body.arguments[0]!.name, body.arguments[0]!.type, body.arguments[0]!.shape], ["model", "Float64Array", [4000]]);
    assert.equal(body.why.verdict, "differs");
    assert.equal((await ask(api, "/api/call/ffffffffffff")).status, 404);
    for (const bad of ["/api/calls?tag=nokey", "/api/calls?from=yesterday", "/api/calls?args=[1]", "/api/calls?offset=-1", "/api/runtimes?limit=999999"]) {
      const answer = await ask(api, bad);
      assert.equal(answer.status, 400, bad);
      assert.match((answer.body as { error: string }).error, /UI (filter|parameter) `(tag|from|args|offset|limit)`/, bad);
    }
    assert.equal((await ask(api, `/api/call/${key}/evict`, "POST")).status, 403);
    assert.equal((await ask(api, "/api/functions", "POST")).status, 405);
    assert.equal((await ask(api, "/api/nothing")).status, 404);
  });
});
