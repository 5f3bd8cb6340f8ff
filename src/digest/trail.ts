/**
 * Where an indigestible value sits, e.g. `args.x[3].foo`. The encoder does not track paths while it works
 * (that would cost on every node); it throws a {@link Trail}, and each container adds its own segment while
 * the exception unwinds. Only the failing path pays.
 */
import { Indigestible } from "../errors.js";

/**
 * Internal: an indigestible value found during encoding. Not an Error on purpose (no stack capture); it
 * never leaves the digest module, {@link Trail.toIndigestible} turns it into the public error.
 */
export class Trail {
  /** Path segments, innermost first. */
  readonly segments: string[] = [];

  constructor(
    readonly value: unknown,
    readonly reason: string,
    readonly cause?: unknown,
  ) {}

  toIndigestible(root: string): Indigestible {
    const error = new Indigestible(this.value, root + this.segments.reverse().join(""), this.reason);
    if (this.cause !== undefined) Object.defineProperty(error, "cause", { value: this.cause, configurable: true });
    return error;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `.name` for identifier keys, `["odd key"]` otherwise. */
export function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** `[3]`. */
export function indexSegment(index: number): string {
  return `[${index}]`;
}

/** A Map value: `.get("key")` when the key prints simply, else by insertion position `<value 2>`. */
export function mapValueSegment(key: unknown, index: number): string {
  switch (typeof key) {
    case "string":
      return `.get(${JSON.stringify(key)})`;
    case "number":
    case "boolean":
    case "undefined":
      return `.get(${String(key)})`;
    case "bigint":
      return `.get(${key}n)`;
    default:
      return key === null ? ".get(null)" : `<value ${index}>`;
  }
}

/** A Map key by insertion position: `<key 2>`. */
export function mapKeySegment(index: number): string {
  return `<key ${index}>`;
}

/** A Set member by insertion position: `<member 2>`. */
export function setMemberSegment(index: number): string {
  return `<member ${index}>`;
}

/** Inside the value a digest hook or `[Symbol.for("fleche.digest")]()` method returned. */
export const CUSTOM_SEGMENT = "<digest>";
