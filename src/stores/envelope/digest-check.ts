/** What a deep `verify` asks of a decoded entry, in every store: that its value digests to its key. */
import { digest } from "../../digest/index.js";
import { Corrupt } from "./decoded.js";

/** @throws Corrupt when `value` cannot be digested or digests to another key than `key`. */
export function checkDigest(value: unknown, key: string): void {
  let actual: string;
  try {
    actual = digest(value);
  } catch (error) {
    throw new Corrupt(`its value cannot be digested (${(error as Error).message})`);
  }
  if (actual !== key) throw new Corrupt(`its value digests to ${actual}, not to its key`);
}

/** @throws Corrupt naming the parts of an entry that are not stored, when there are any. */
export function checkParts(missing: readonly string[]): void {
  if (missing.length) throw new Corrupt(`its part${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing`);
}
