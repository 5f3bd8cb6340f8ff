import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hostname, userInfo } from "node:os";
import { readFileSync } from "node:fs";
import { Cache, ConfigError, Environment, Memory, Runtime, fleche, meta, tags, withCache, type MetadataProvider } from "../../src/index.js";
import { flecheVersion } from "../../src/metadata/environment.js";
import { metadataFromNames, metadataNames, registerMetadata } from "../../src/metadata/registry.js";
import type { Call } from "../../src/call.js";

const fresh = () => new Cache({ values: new Memory(), calls: new Memory() });

describe("Environment metadata", () => {
  it("records host, user, working directory and versions", async () => {
    const state = await Environment().pre!({} as Call);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    assert.deepEqual(state, {
      hostname: hostname(),
      username: userInfo().username,
      cwd: process.cwd(),
      node_version: process.version,
      fleche_version: pkg.version,
    });
    assert.equal(flecheVersion(), pkg.version);
  });

  it("is configurable by name, like Runtime and Git; Tags is not", () => {
    assert.deepEqual(metadataFromNames(["Runtime", "Environment", "Git"]).map((p) => p.name), ["runtime", "environment", "git"]);
    for (const name of ["Runtime", "Environment", "Git"]) assert.ok(metadataNames().includes(name));
    assert.throws(() => metadataFromNames(["Tags"], "fleche.toml [default] metadata"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /fleche\.toml \[default\] metadata: unknown or non-configurable metadata type "Tags"/);
      return true;
    });
  });
});

describe("custom metadata providers", () => {
  it("run pre before the body and post after it with the result, per miss only", async () => {
    const seen: string[] = [];
    const sizes: MetadataProvider = {
      name: "sizes",
      pre(call) {
        seen.push("pre");
        return { input: String((call.arguments as { text: string }).text).length };
      },
      async post(pre, _call, result) {
        seen.push("post");
        await new Promise((r) => setTimeout(r, 1)); // hooks may be async
        return { output: String(result).length, ratio: (String(result).length as number) / (pre.input as number) };
      },
    };
    const c = fresh();
    const shout = fleche(function shout(text: string) {
      seen.push("body");
      return `${text.toUpperCase()}!!`;
    }, { meta: [sizes] });
    await withCache(c, async () => {
      await shout("hey");
      await shout("hey"); // a hit: no hooks
    });
    assert.deepEqual(seen, ["pre", "body", "post"]);
    assert.deepEqual((await c.query().only()).metadata.sizes, { input: 3, output: 5, ratio: 5 / 3 });
  });

  it("merge providers of one namespace (later keys win) and stack with the active ones", async () => {
    const a: MetadataProvider = { name: "shared", pre: () => ({ from: "a", a: 1 }) };
    const b: MetadataProvider = { name: "shared", pre: () => ({ from: "b" }), post: () => ({ b: 2 }) };
    const c = fresh();
    const f = fleche((x: number) => x, { name: "f", meta: [b] });
    await withCache(c, async () => {
      using _ = meta(Runtime(), a);
      using __ = tags({ stage: "test" });
      await f(1);
    });
    const { metadata } = await c.query().only();
    assert.deepEqual(metadata.shared, { from: "b", a: 1, b: 2 });
    assert.deepEqual(metadata.tags, { stage: "test" });
    assert.ok(typeof metadata.runtime?.walltime === "number");
  });

  it("can be registered under a name for configuration", async () => {
    registerMetadata("Hostless", () => ({ name: "hostless", pre: () => ({ pid: process.pid }) }));
    const [provider] = metadataFromNames(["Hostless"]);
    assert.deepEqual(await provider!.pre!({} as Call), { pid: process.pid });
  });
});
