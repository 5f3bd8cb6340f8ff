/**
 * The shared core of `f.map` and the job queue, in one process: references to wrapped functions and back,
 * task arguments across a structured clone, metadata described and rebuilt, which caches travel, and
 * `runTask` committing to a real FileStore cache.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import { D, Environment, Git, Runtime, Tags, cacheFromConfig, digest, persistent, withCache, FlecheError } from "../../src/index.js";
import { Cache } from "../../src/cache.js";
import { Memory } from "../../src/stores/memory.js";
import { referenceOf } from "../../src/parallel/reference.js";
import { resolveReference } from "../../src/parallel/resolve.js";
import { runTask } from "../../src/parallel/run-task.js";
import { encodeTaskArgs, decodeTaskArgs } from "../../src/parallel/task-args.js";
import { travellingConfig } from "../../src/parallel/travel.js";
import { describeMetadata } from "../../src/metadata/description.js";
import { metadataFromDescription, metadataFromNames, registerMetadata } from "../../src/metadata/registry.js";
import { hiddenFunction, range, square, total } from "../fixtures/parallel/functions.js";
import * as functions from "../fixtures/parallel/functions.js";
import { tempDirs } from "../helpers/temp.js";
import type { CallTask } from "../../src/parallel/task.js";
import type { JsonValue } from "../../src/index.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/parallel/functions.ts", import.meta.url));
const temp = tempDirs("parallel-core");

function remoteError(pattern: RegExp) {
  return (error: unknown) => error instanceof FlecheError && error.code === "FLECHE_REMOTE" && pattern.test(error.message);
}

describe("referenceOf", () => {
  it("finds the module that defined a wrapped function and its export name", async () => {
    const ref = await referenceOf(square);
    assert.deepEqual(ref, { url: pathToFileURL(FIXTURE).href, exportName: "square", name: "square", module: "fleche:test/fixtures/parallel/functions" });
  });

  it("names an unexported function and says how to fix it", async () => {
    await assert.rejects(referenceOf(hiddenFunction()), remoteError(/hidden.*does not export it.*export const hidden = fleche/));
  });

  it("rejects a function fleche did not wrap", async () => {
    await assert.rejects(referenceOf(function plain() {}), remoteError(/plain is not a function wrapped by fleche/));
  });
});

describe("resolveReference", () => {
  it("imports the module a reference names and returns the export", async () => {
    assert.equal(await resolveReference(await referenceOf(square)), square);
  });

  it("searches imported modules when the URL does not exist here", async () => {
    const ref = { ...(await referenceOf(total)), url: "file:///nowhere/else/functions.js" };
    assert.equal(await resolveReference(ref, [functions]), total);
  });

  it("names the function and where it looked when it is nowhere", async () => {
    const ref = { url: "file:///nowhere/tasks.js", exportName: "gone", name: "gone", module: "pkg:tasks" };
    await assert.rejects(resolveReference(ref, [functions]), remoteError(/gone \(module pkg:tasks\).*nowhere\/tasks\.js does not exist here.*1 imported module/));
  });

  it("refuses an export that is another function than the one named", async () => {
    const ref = { ...(await referenceOf(square)), name: "cube" };
    await assert.rejects(resolveReference(ref), remoteError(/exports "square", but not as the wrapped function cube/));
  });
});

describe("task arguments", () => {
  it("carry top-level references through a structured clone", () => {
    const hex = "ab".repeat(32);
    const sent = structuredClone(encodeTaskArgs([D(hex), { a: 1 }, [2]]));
    const [ref, table, list] = decodeTaskArgs(sent);
    assert.ok(ref instanceof D("0").constructor);
    assert.equal(String(ref), hex);
    assert.deepEqual([table, list], [{ a: 1 }, [2]]);
  });
});

describe("metadata descriptions", () => {
  it("rebuild the built-in providers, Tags with their values, Git with its options", () => {
    const described = describeMetadata([Runtime(), Environment(), Git({ timeout: 500 }), Tags({ run: 7 })]);
    const json: JsonValue = JSON.parse(JSON.stringify(described));
    assert.deepEqual(json, [{ type: "Runtime" }, { type: "Environment" }, { type: "Git", options: { timeout: 500 } }, { type: "Tags", tags: { run: 7 } }]);
    const rebuilt = metadataFromDescription(json);
    assert.deepEqual(rebuilt.map((p) => p.name), ["runtime", "environment", "git", "tags"]);
    assert.deepEqual(describeMetadata(rebuilt), described);
  });

  it("rebuild providers registered by name", () => {
    registerMetadata("CoreTestLabel", () => ({ name: "label", pre: () => ({ lab: "x" }) }));
    const described = describeMetadata(metadataFromNames(["CoreTestLabel"]));
    assert.deepEqual(described, [{ type: "CoreTestLabel" }]);
    assert.equal(metadataFromDescription(described)[0]!.name, "label");
  });

  it("name a hand-made provider that cannot travel", () => {
    assert.throws(() => describeMetadata([Runtime(), { name: "handmade", pre: () => ({}) }]), remoteError(/"handmade" cannot travel.*registerMetadata/));
  });

  it("name a provider the receiving side has not registered", () => {
    assert.throws(() => metadataFromDescription([{ type: "NeverRegistered" }]), remoteError(/"NeverRegistered" is not registered in this process/));
  });
});

describe("travellingConfig", () => {
  it("is the config of a cache over files", () => {
    const dir = temp();
    assert.deepEqual(travellingConfig(persistent(dir)), persistent(dir).toConfig());
  });

  it("is null for caches with a store in this process's memory, anywhere in their shape", () => {
    const memory = new Cache({ values: new Memory(), calls: new Memory() });
    assert.equal(travellingConfig(memory), null);
    assert.equal(travellingConfig(cacheFromConfig([{ template: "memory" }, { template: "file", root: temp() }])), null);
    assert.equal(travellingConfig(cacheFromConfig({ values: { type: "sql", url: "sqlite:///:memory:" }, calls: { type: "sql", url: ":memory:" } })), null);
  });

  it("is null for a view filtered by a function (it has no config)", () => {
    assert.equal(travellingConfig(persistent(temp()).filter(() => true)), null);
  });
});

describe("runTask", () => {
  async function taskFor(cacheConfig: CallTask["cache"], args: unknown[], key?: string): Promise<CallTask> {
    return {
      fn: await referenceOf(square),
      args: structuredClone(encodeTaskArgs(args)),
      key: key ?? (await square.digest(...(args as [number]))),
      cache: cacheConfig,
      meta: JSON.parse(JSON.stringify(describeMetadata([Runtime(), Tags({ sweep: "core" })]))),
    };
  }

  it("runs the call through the wrapper and commits it, with the task's metadata, in the task's cache", async () => {
    const dir = temp();
    const result = await runTask(await taskFor(persistent(dir).toConfig(), [7]));
    assert.equal(result, 49);
    const stored = persistent(dir);
    assert.equal(await withCache(stored, () => square.load(7)), 49);
    const record = await (await withCache(stored, () => square.call(7))).key;
    const loaded = await stored.loadRecord(record);
    assert.deepEqual(loaded?.metadata.tags, { sweep: "core" });
    assert.equal(typeof loaded?.metadata.runtime?.walltime, "number");
  });

  it("keys references like the submitter did and loads them in the task's cache", async () => {
    const cache = persistent(temp());
    const hex = await withCache(cache, async () => digest(await range(4)));
    const task: CallTask = {
      fn: await referenceOf(total),
      args: structuredClone(encodeTaskArgs([D(hex)])),
      key: await withCache(cache, () => total.digest(D(hex))),
      cache: cache.toConfig(),
      meta: [],
    };
    assert.equal(await runTask(task), 6);
    assert.equal(await withCache(persistent(temp()), () => total.contains([0, 1, 2, 3])), false);
    assert.equal(await withCache(cache, () => total.contains([0, 1, 2, 3])), true);
  });

  it("refuses a task its side keys differently, naming the function", async () => {
    const task = await taskFor(persistent(temp()).toConfig(), [3], "0".repeat(64));
    await assert.rejects(runTask(task), remoteError(/square keys this call as [0-9a-f]{64} here, but the submitting side keyed it as 0{64}/));
  });

  it("runs only the body when the cache does not travel", async () => {
    const dir = temp();
    const task = await taskFor(null, [4]);
    assert.equal(await runTask(task), 16);
    assert.equal(await withCache(persistent(dir), () => square.contains(4)), false);
  });
});
