/**
 * Arguments of a {@link CallTask} across a structured clone: a top-level `D()` reference is a class
 * instance, which cloning turns into a plain object, so it travels as a tagged hex string and is rebuilt
 * on arrival.
 */
import { Digest, isDigest } from "../digest/index.js";

/** The tag of an encoded reference: `{ [REFERENCE_TAG]: "<64 hex>" }`. */
const REFERENCE_TAG = "$fleche:digest";

/** Positional arguments as a task carries them (references tagged). */
export function encodeTaskArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => (isDigest(arg) ? { [REFERENCE_TAG]: arg.hex } : arg));
}

/** The positional arguments a task carries, references rebuilt. */
export function decodeTaskArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => {
    if (arg === null || typeof arg !== "object" || Array.isArray(arg)) return arg;
    const keys = Object.keys(arg);
    const hex = (arg as Record<string, unknown>)[REFERENCE_TAG];
    return keys.length === 1 && typeof hex === "string" ? new Digest(hex) : arg;
  });
}
