/**
 * The lookup key of a call: the digest of the function's identity together with the digest of each
 * argument, by parameter name. Computed on every cached call, so the identity is encoded once and each
 * call only appends names and argument digests before one `crypto.hash`.
 *
 * The key is, by definition (docs/digest.md, "Call keys"),
 * `digest(["fleche.call/v1", name, module, version, codeDigest, names, argDigests])`
 * with `names` and `argDigests` plain arrays of strings in the caller's (parameter) order.
 */
import { Encoder } from "./encode.js";
import { Tag } from "./tags.js";
import { ByteWriter } from "./writer.js";

/** Who a call is a call of. */
export interface FunctionIdentity {
  /** The function's name (or the `name` option). */
  name: string;
  /** The module it lives in, when known. */
  module: string | null;
  /** The user's `version` option: bump it to invalidate old results. */
  version: string | number | null;
  /** The digest of the function's code, when `hashCode` is on. */
  codeDigest: string | null;
}

/** The first element of the encoded array; tells call keys of this layout apart from any later one. */
export const CALL_KEY_MARK = "fleche.call/v1";

/** Number of elements of the encoded array: mark, name, module, version, codeDigest, names, argDigests. */
const FIELDS = 7;

/**
 * A function computing call keys of the function `identity` describes.
 * @returns `(names, argDigests) => key`: 64-hex lookup key; `names[i]` is the parameter `argDigests[i]`
 * (the digest of that argument) was passed for.
 * @throws TypeError for an identity with fields of other types than declared, and (from the returned
 * function) when the two lists differ in length.
 */
export function makeCallKeyer(
  identity: FunctionIdentity,
): (names: readonly string[], argDigests: readonly string[]) => string {
  const { name, module, version, codeDigest } = identity;
  // Checked because the key's definition (docs/digest.md) only covers these types.
  if (typeof name !== "string") throw new TypeError("A function identity needs a string name");
  if (module !== null && typeof module !== "string") throw new TypeError("identity.module must be a string or null");
  if (version !== null && typeof version !== "string" && typeof version !== "number") {
    throw new TypeError("identity.version must be a string, a number or null");
  }
  if (codeDigest !== null && typeof codeDigest !== "string") throw new TypeError("identity.codeDigest must be a string or null");
  // The identity never changes: encode it once; each call appends names and digests after it.
  const encoder = new Encoder();
  encoder.out.byte(Tag.Array);
  encoder.out.varint(FIELDS);
  for (const field of [CALL_KEY_MARK, name, module, version, codeDigest]) encoder.encode(field);
  return keyer(encoder.out);
}

function keyer(out: ByteWriter): (names: readonly string[], argDigests: readonly string[]) => string {
  const identityEnd = out.pos;
  let lastNames: string[] = [];
  let namesEnd = -1;

  return (names, argDigests) => {
    const n = names.length;
    if (argDigests.length !== n) {
      throw new TypeError(`A call key needs one digest per argument name (${n} names, ${argDigests.length} digests)`);
    }
    if (namesEnd < 0 || !sameNames(names, lastNames)) {
      // Names are usually the same from call to call: encode them once, keep them after the identity.
      out.pos = identityEnd;
      out.byte(Tag.Array);
      out.varint(n);
      for (let i = 0; i < n; i++) out.string(names[i]!);
      namesEnd = out.pos;
      lastNames = names.slice();
    }
    out.pos = namesEnd;
    out.byte(Tag.Array);
    out.varint(n);
    for (let i = 0; i < n; i++) out.string(argDigests[i]!);
    return out.hashPrefix(out.pos);
  };
}

function sameNames(names: readonly string[], last: readonly string[]): boolean {
  if (names.length !== last.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== last[i]) return false;
  return true;
}
