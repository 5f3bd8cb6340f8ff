/**
 * Child of the optional-dependency test: makes one package unresolvable (a module resolve hook, as if it
 * were not installed; its name is the first argument), then sends a task to a job queue. Prints what
 * happened.
 */
import { register } from "node:module";

const hidden = process.argv[2]!;
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(hidden)}) throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const { jobQueue } = await import("../../../../src/parallel/queue/job-queue.js");
const queue = jobQueue({ queue: "q", redis: "redis://127.0.0.1:9" }); // built: nothing is loaded yet
const task = {
  fn: { url: "file:///tasks.js", exportName: "f", name: "f", module: null },
  args: [1],
  key: "ab".repeat(32),
  cache: { template: "file", root: "/nowhere" },
  meta: [],
};
let outcome: string;
try {
  await queue.run(task, new AbortController().signal);
  outcome = "ok";
} catch (error) {
  outcome = `${(error as { code?: string }).code}: ${(error as Error).message}`;
}
process.stdout.write(`${JSON.stringify({ outcome })}\n`);
