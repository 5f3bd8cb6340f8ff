/**
 * Child of the optional-dependency test: makes the AWS SDK's packages unresolvable (a module resolve
 * hook, as if they were not installed), then uses an S3Store. Prints what happened.
 */
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@aws-sdk/")) throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const { S3Store } = await import("../../../../src/index.js");
const store = new S3Store({ bucket: "any-bucket", endpoint: "http://127.0.0.1:9", forcePathStyle: true, region: "us-east-1" });
let outcome: string;
try {
  await store.loadValue("ab".repeat(32));
  outcome = "ok";
} catch (error) {
  outcome = `${(error as { code?: string }).code}: ${(error as Error).message}`;
}
process.stdout.write(`${JSON.stringify({ constructed: true, outcome })}\n`);
