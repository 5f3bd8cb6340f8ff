/**
 * Child of the optional-dependency test: makes the package zstd-napi unresolvable (a module resolve hook,
 * as if it were not installed), then reads a zstd file and writes with zstd. Prints what happened.
 */
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === "zstd-napi") throw Object.assign(new Error("Cannot find package 'zstd-napi'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const { FileStore } = await import("../../../../src/index.js");
const [root, key] = process.argv.slice(2);
const outcome = async (action: () => unknown) => {
  try {
    await action();
    return "ok";
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};
const read = await outcome(() => new FileStore({ root: root! }).loadValue(key!));
const write = await outcome(() => new FileStore({ root: root!, compress: "zstd" }).saveValue(["new", "value"]));
const gzip = await outcome(() => new FileStore({ root: root!, compress: "gzip" }).saveValue(["gzip", "still works"]));
process.stdout.write(`${JSON.stringify({ read, write, gzip })}\n`);
