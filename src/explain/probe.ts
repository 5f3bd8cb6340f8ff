/**
 * The call being explained: its function's name, whatever of its identity is known, and its arguments
 * by name with their digests (and values, when at hand). `f.explain` knows everything; `fleche why`
 * knows the name and the arguments, and the identity only as far as the command line gives it.
 */
import type { Call } from "../call.js";
import type { Version } from "../call-record.js";

/** One argument of the probe. */
export interface ProbeArgument {
  readonly name: string;
  readonly digest: string;
  /** The value, when at hand (not for `D(...)` references). */
  readonly value?: unknown;
  readonly hasValue: boolean;
}

/** What is explained. Identity fields left `undefined` are unknown and never compared. */
export interface Probe {
  readonly name: string;
  readonly module?: string | null;
  readonly version?: Version;
  readonly codeDigest?: string | null;
  /** The lookup key, when the whole identity is known. */
  readonly key?: string;
  /**
   * Set when the probe is a stored call itself (`fleche why KEY`): it is compared with the other stored
   * calls of its function, never with itself.
   */
  readonly storedKey?: string;
  /** Only some arguments are given (`fleche why NAME --args`): parameters left out are not compared. */
  readonly partial?: boolean;
  readonly args: readonly ProbeArgument[];
}

/** The probe of a bound call from the wrapper. */
export function probeOfCall(call: Call): Probe {
  return {
    name: call.name,
    module: call.module,
    version: call.version,
    codeDigest: call.codeDigest,
    key: call.key,
    args: call.names.map((name, i) =>
      call.references[i] ? { name, digest: call.digests[i]!, hasValue: false } : { name, digest: call.digests[i]!, value: call.values[i], hasValue: true },
    ),
  };
}
