/**
 * Digest v1: content digests of JavaScript values (docs/digest.md is the specification).
 *
 * - {@link digest}: the SHA-256 of a value's canonical, type-tagged encoding, as 64 lowercase hex chars.
 * - {@link D} / {@link Digest}: a reference to a stored value by its digest.
 * - {@link registerDigest} and {@link digestSymbol}: make class instances digestible.
 * - {@link makeCallKeyer}: the lookup key of a call, from the function identity and argument digests.
 */
export { DIGEST_LENGTH, Digest, isDigest, isFullDigest } from "./digest-ref.js";
export { D, digest, digestArgument } from "./digest.js";
export { digestSymbol, registerDigest, registerWrapped } from "./hooks.js";
export { CALL_KEY_MARK, makeCallKeyer, type FunctionIdentity } from "./call-key.js";
