/**
 * `persistent(dir)`: the one-line persistent cache, as joblib's `Memory("dir")` is one line. Values and
 * call records are files under `dir` (`dir/values`, `dir/calls`), shared by every process that can read
 * the directory, and nothing native needs to be installed. It is the `file` template of configuration
 * files (`{ template = "file", root = "dir" }`), so `toConfig()` writes what rebuilds it.
 */
import { Cache } from "../cache.js";
import { ConfigError } from "../errors.js";
import { FileStore } from "../stores/file/file-store.js";
import { join } from "node:path";

/**
 * A cache whose values and call records are files under `dir` (created on the first write).
 * @example
 * using _ = cache(persistent(".cache/fleche"));
 * @throws ConfigError when `dir` is not a non-empty string.
 */
export function persistent(dir: string): Cache {
  if (typeof dir !== "string" || dir === "") throw new ConfigError(`persistent(dir): \`dir\` must be a non-empty directory path, got ${JSON.stringify(dir)}`);
  return new Cache({ values: new FileStore({ root: join(dir, "values") }), calls: new FileStore({ root: join(dir, "calls") }) });
}
