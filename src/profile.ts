/**
 * Everything about a wrapped function that does not change between calls, computed once when it is
 * wrapped: its identity (name, module, version, code digest), its parameters, and a call-key function
 * with the identity's bytes already encoded.
 */
import { parseDuration } from "./duration.js";
import { ConfigError } from "./errors.js";
import { digest, makeCallKeyer, type FunctionIdentity } from "./digest/index.js";
import { readSignature, type ParamInfo } from "./params.js";
import { callerModule } from "./module-name.js";
import type { FlecheOptions } from "./options.js";

/** The per-function facts the wrapper and the call builder use. */
export interface Profile {
  readonly identity: FunctionIdentity;
  /** Declared parameters in order (a rest parameter, if any, is last). */
  readonly params: readonly ParamInfo[];
  /** True when the receiver (`this`) is part of the key. */
  readonly usesThis: boolean;
  /** Parameters excluded from the key. */
  readonly ignore: ReadonlySet<string>;
  /** Parameters that must be passed explicitly. */
  readonly require: ReadonlySet<string>;
  readonly strict: boolean;
  /** Serve stored calls at most this many seconds old (`maxAge`), or undefined for no limit. */
  readonly maxAge: number | undefined;
  /** Lookup key from argument names and digests (names in canonical sorted order). */
  readonly keyer: (names: readonly string[], digests: readonly string[]) => string;
}

/** Build the profile of `fn`; option mistakes throw `ConfigError` naming the option. */
export function buildProfile(fn: Function, options: FlecheOptions): Profile {
  const name = options.name ?? (fn.name || "anonymous");
  const signature = readSignature(fn);
  const params = options.params ? explicitParams(options.params, name) : signature.params;
  const usesThis = signature.usesThis;
  const module = options.module === undefined ? callerModule() : options.module;
  const version = options.version ?? null;
  if (version !== null && typeof version !== "string" && typeof version !== "number") {
    throw new ConfigError(`fleche(${name}): option \`version\` must be a string, a number or null`);
  }
  const codeDigest = options.hashCode ? digest(Function.prototype.toString.call(fn)) : null;
  const identity: FunctionIdentity = { name, module, version, codeDigest };
  const names = new Set(params.map((p) => p.name));
  const ignore = nameSet(options.ignore, "ignore", name, names);
  const require = nameSet(options.require, "require", name, names);
  return {
    identity,
    params,
    usesThis,
    ignore,
    require,
    strict: options.strict ?? false,
    maxAge: options.maxAge === undefined ? undefined : parseDuration(options.maxAge, `fleche(${name}): option \`maxAge\``),
    keyer: makeCallKeyer(identity),
  };
}

function explicitParams(list: readonly string[], fname: string): ParamInfo[] {
  return list.map((raw, i) => {
    const rest = raw.startsWith("...");
    const name = rest ? raw.slice(3) : raw;
    if (!name || (rest && i !== list.length - 1)) {
      throw new ConfigError(`fleche(${fname}): option \`params\` entry '${raw}' is invalid (only the last may be '...rest')`);
    }
    return { name, rest };
  });
}

function nameSet(
  value: string | readonly string[] | undefined,
  option: "ignore" | "require",
  fname: string,
  known: ReadonlySet<string>,
): ReadonlySet<string> {
  const list = value === undefined ? [] : typeof value === "string" ? [value] : value;
  for (const n of list) {
    if (!known.has(n)) {
      throw new ConfigError(
        `fleche(${fname}): option \`${option}\` names '${n}', which is not a parameter ` +
          `(parameters: ${[...known].join(", ") || "none"}; pass \`params\` to name them)`,
      );
    }
  }
  return new Set(list);
}
