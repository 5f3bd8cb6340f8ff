/**
 * The entry points: `digest(value)` (content digest), `digestArgument(value, path)` (the same, with a
 * path in errors and a memo for small primitives) and `D(valueOrHex)` (a digest reference).
 */
import { Digest, isHexPrefix } from "./digest-ref.js";
import { Encoder, isStackOverflow } from "./encode.js";
import { TOO_DEEP } from "./reasons.js";
import { Trail } from "./trail.js";
import { Indigestible } from "../errors.js";

/**
 * The encoder for top-level digests. A hook that calls digest() while an encoding is in progress gets
 * another one (from `spares`), so the outer encoding's buffer and cycle stack are never touched.
 */
let idle: Encoder | null = new Encoder();
const spares: Encoder[] = [];
const SPARES_LIMIT = 8;

function digestAt(value: unknown, root: string): string {
  const encoder = idle ?? spares.pop() ?? new Encoder();
  idle = null;
  try {
    const hex = encoder.digestHex(value);
    release(encoder);
    return hex;
  } catch (error) {
    encoder.reset();
    release(encoder);
    if (error instanceof Trail) throw error.toIndigestible(root);
    if (isStackOverflow(error)) throw new Indigestible(value, root, TOO_DEEP);
    throw error;
  }
}

function release(encoder: Encoder): void {
  if (idle === null) idle = encoder;
  else if (spares.length < SPARES_LIMIT) spares.push(encoder);
}

/**
 * The content digest of `value`: the lowercase hex SHA-256 (64 characters) of its Digest v1 encoding
 * (docs/digest.md). Equal content gives equal digests in every process and on every machine.
 * A {@link Digest} reference passes through: `digest(D(h)) === h`.
 *
 * @throws Indigestible for values with no digest rule (symbols, promises, weak collections, class
 * instances without a `[Symbol.for("fleche.digest")]()` method or hook, ...); its `path` starts with `value`.
 */
export function digest(value: unknown): string {
  // typeof first: `instanceof` on a primitive still walks Symbol.hasInstance, a measurable cost here.
  if (typeof value === "object" && value instanceof Digest) return value.hex;
  return digestAt(value, "value");
}

/** Small primitives seen recently and their digests, so hot calls with small arguments skip hashing. */
const memo = new Map<unknown, string>();
const MEMO_LIMIT = 4096;
const MEMO_STRING_LENGTH = 64;
const MEMO_BIGINT_LIMIT = 1n << 64n;
/** Map keys conflate -0 with 0 (SameValueZero), so -0 has its own slot. */
let negativeZero: string | undefined;

/**
 * Exactly `digest(value)`, for an argument of a call: an Indigestible error carries `path` as the root of
 * its path (e.g. `args.x` → `args.x[3].foo`), and small primitives (numbers, booleans, null, undefined,
 * bigints up to 64 bits, strings up to 64 characters) are memoised in a bounded table.
 */
export function digestArgument(value: unknown, path: string): string {
  if (!isMemoisable(value)) {
    if (typeof value === "object" && value instanceof Digest) return value.hex;
    return digestAt(value, path);
  }
  if (value === 0 && 1 / value < 0) return (negativeZero ??= digestAt(value, path));
  let hex = memo.get(value);
  if (hex === undefined) {
    hex = digestAt(value, path);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(value, hex);
  }
  return hex;
}

function isMemoisable(value: unknown): boolean {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return true;
    case "string":
      return value.length <= MEMO_STRING_LENGTH;
    case "bigint":
      return value < MEMO_BIGINT_LIMIT && value > -MEMO_BIGINT_LIMIT;
    case "object":
      return value === null;
    default:
      return false;
  }
}

/**
 * A digest reference. A non-empty string of at most 64 hex characters is taken verbatim (lowercased) as a
 * digest or digest prefix; a {@link Digest} is returned as it is; anything else (other strings included)
 * is digested: `D(value)` is `new Digest(digest(value))`.
 * @example f(D("3fa2")) // calls f with the stored value whose digest starts with 3fa2
 */
export function D(valueOrHex: unknown): Digest {
  if (valueOrHex instanceof Digest) return valueOrHex;
  if (isHexPrefix(valueOrHex)) return new Digest(valueOrHex);
  return new Digest(digest(valueOrHex));
}
