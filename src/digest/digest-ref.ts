/**
 * `Digest`: a reference to a stored value by its digest. Passing `D(h)` where a value is expected stands
 * for "the value whose digest is h", so `f(D(digest(x)))` keys like `f(x)` without having `x` at hand.
 */

/** Length in hex characters of a full digest (SHA-256). */
export const DIGEST_LENGTH = 64;

const HEX_PREFIX = /^[0-9a-fA-F]{1,64}$/;
const FULL_DIGEST = /^[0-9a-f]{64}$/;

/**
 * A reference to a stored value by its digest: a full 64-character digest or a short prefix of it
 * (at least one hex character), always lowercase.
 */
export class Digest {
  /** The lowercase hex digest or digest prefix. */
  readonly hex: string;

  /** @throws TypeError when `hex` is not 1 to 64 hex characters. */
  constructor(hex: string) {
    if (typeof hex !== "string" || !HEX_PREFIX.test(hex)) {
      throw new TypeError(`A Digest needs 1 to ${DIGEST_LENGTH} hex characters, got ${JSON.stringify(hex)}`);
    }
    this.hex = hex.toLowerCase();
  }

  /** The hex string, so template literals and string concatenation show the digest. */
  toString(): string {
    return this.hex;
  }

  /** The hex string, so a Digest serialises as a plain JSON string. */
  toJSON(): string {
    return this.hex;
  }
}

/** True for a {@link Digest} reference. */
export function isDigest(value: unknown): value is Digest {
  return value instanceof Digest;
}

/** True for a full digest string: exactly 64 lowercase hex characters. */
export function isFullDigest(value: unknown): value is string {
  return typeof value === "string" && value.length === DIGEST_LENGTH && FULL_DIGEST.test(value);
}

/** True for a string that `D()` takes verbatim as a digest (prefix): 1 to 64 hex characters, any case. */
export function isHexPrefix(value: unknown): value is string {
  return typeof value === "string" && HEX_PREFIX.test(value);
}
