/**
 * `fleche why`: why a call missed. `fleche why NAME --args JSON` compares a call given by its argument
 * values (JSON) with the stored calls of NAME; `fleche why KEY` compares a stored call with the other
 * stored calls of its function. The function's identity (module, version, code) is known to the program
 * only: pass `--version`/`--module` to compare it too, or use `f.explain(...)` in the program.
 */
import { ConfigError } from "../../errors.js";
import { digestArgument } from "../../digest/index.js";
import { explainProbe } from "../../explain/explain.js";
import { openCache, type CacheSelection } from "../open.js";
import { parseVersionText } from "../../version-text.js";
import type { Probe, ProbeArgument } from "../../explain/probe.js";

/** Options of `fleche why`. */
export interface WhyOptions extends CacheSelection {
  /** Argument values by parameter name, as a JSON object. */
  readonly args?: string;
  /** The function's version as the program declares it (JSON: `2` is a number, `'"2"'` a string). */
  readonly version?: string;
  /** The function's module. */
  readonly module?: string;
  readonly json?: boolean;
}

/** Print the explanation for `target` (a function name with `--args`, else a stored call's key or prefix). */
export async function why(target: string, options: WhyOptions): Promise<void> {
  const cache = openCache(options);
  const probe = options.args === undefined ? await storedProbe(cache, target) : givenProbe(target, options);
  const report = await explainProbe(cache, probe);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${report.text}\n`);
}

function givenProbe(name: string, options: WhyOptions): Probe {
  let values: unknown;
  try {
    values = JSON.parse(options.args!);
  } catch (error) {
    throw new ConfigError(`fleche why: --args must be a JSON object of argument values by parameter name (${(error as Error).message})`);
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new ConfigError(`fleche why: --args must be a JSON object of argument values by parameter name, got ${options.args}`);
  }
  const args: ProbeArgument[] = Object.entries(values).map(([arg, value]) => ({ name: arg, digest: digestArgument(value, `args.${arg}`), value, hasValue: true }));
  return {
    name,
    args,
    partial: true,
    ...(options.version === undefined ? {} : { version: parseVersionText(options.version) }),
    ...(options.module === undefined ? {} : { module: options.module }),
  };
}

async function storedProbe(cache: ReturnType<typeof openCache>, prefix: string): Promise<Probe> {
  const call = await cache.load(prefix);
  const loaded = await call.loadArguments();
  const args: ProbeArgument[] = Object.entries(call.argumentDigests).map(([name, digest]) =>
    loaded.missing.includes(name) ? { name, digest, hasValue: false } : { name, digest, value: loaded.values[name], hasValue: true },
  );
  return { name: call.name, module: call.module, version: call.version, codeDigest: call.codeDigest, storedKey: call.key, args };
}
