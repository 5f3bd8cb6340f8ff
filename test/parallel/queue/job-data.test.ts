/** A task as BullMQ job data and back, the job id of a task, and one abort listener per signal. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FlecheError } from "../../../src/index.js";
import { jobData, jobIdOf, taskOf } from "../../../src/parallel/queue/job-data.js";
import { onAbort } from "../../../src/parallel/queue/on-abort.js";
import type { CallTask } from "../../../src/parallel/task.js";

const task: CallTask & { cache: { template: string; root: string } } = {
  fn: { url: "file:///work/tasks.js", exportName: "simulate", name: "simulate", module: "pkg:tasks" },
  args: [new Float64Array([1.5, -2]), new Map([["a", 1n]]), new Date(0), { nested: [1, "two", null] }, undefined],
  key: "ab".repeat(32),
  cache: { template: "file", root: "/mnt/team/cache" },
  meta: [{ kind: "tags", values: { sweep: "s1" } }],
};

describe("job data", () => {
  it("is JSON that carries the task, arguments as v8 bytes (typed arrays, maps, bigints, dates kept)", () => {
    const data = JSON.parse(JSON.stringify(jobData(task))) as unknown; // what Redis holds
    assert.deepEqual(taskOf(data), task);
    assert.ok(taskOf(data).args[0] instanceof Float64Array);
  });

  it("refuses data fleche did not write, or wrote in another format", () => {
    const foreign = (e: unknown) => e instanceof FlecheError && e.code === "FLECHE_FORMAT" && /this job holds no fleche task; this worker reads format 1/.test(e.message);
    assert.throws(() => taskOf({ email: "x@example.com" }), foreign);
    assert.throws(() => taskOf(null), foreign);
    assert.throws(() => taskOf({ ...jobData(task), format: 2 }), /this job holds format 2; this worker reads format 1 \(is the submitting side running another version of fleche\?\)/);
  });

  it("the job id is the call key and a digest of the cache: one job per call per cache", () => {
    const id = jobIdOf(task);
    assert.match(id, new RegExp(`^${task.key}-[0-9a-f]{16}$`));
    assert.ok(!id.includes(":")); // BullMQ refuses ':' in job ids
    assert.equal(jobIdOf({ ...task, args: [], meta: null }), id); // the key stands for the arguments
    assert.notEqual(jobIdOf({ ...task, cache: { template: "file", root: "/elsewhere" } }), id);
    assert.notEqual(jobIdOf({ ...task, key: "cd".repeat(32) }), id);
  });
});

describe("onAbort", () => {
  it("serves any number of handlers with one listener; unsubscribed ones are not called", async () => {
    const controller = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const called: number[] = [];
      const unsubscribe = Array.from({ length: 50 }, (_, i) => onAbort(controller.signal, () => called.push(i)));
      unsubscribe[7]!();
      controller.abort();
      assert.equal(called.length, 49);
      assert.ok(!called.includes(7));
      await new Promise(setImmediate); // warnings are emitted on a later tick
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings.map((w) => w.name), []);
  });
});
