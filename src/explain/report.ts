/**
 * What `f.explain(...)` and `fleche why` answer: why a call would miss (or does hit) in a cache, as a
 * typed report. `render.ts` turns it into text; `explain.ts` builds it.
 */
import type { CallRecord, Version } from "../call-record.js";

/**
 * The answer in one word:
 * - `hit`: a record of this call is stored and its result loads.
 * - `skipped`: the call is never cached (an argument cannot be digested, or a `require`d one is missing).
 * - `pending`: a record is stored but has no result yet (being computed, or its writer died).
 * - `unreadable`: a record is stored but its result value is gone or cannot be read.
 * - `hidden`: the cache is a filtered view and the call is stored underneath, outside its filter.
 * - `unknown-function`: no call of a function of this name is stored at all.
 * - `differs`: calls of this function are stored, none with this key; `nearest` says what differs.
 * - `arguments-stored` (`fleche why` without the function's identity): a call with these argument
 *   values is stored; `nearest` names it and its identity.
 * - `alone` (`fleche why KEY`, explaining a stored call): no other call of its function is stored.
 */
export type Verdict = "hit" | "skipped" | "pending" | "unreadable" | "hidden" | "unknown-function" | "differs" | "arguments-stored" | "alone";

/** A component of the function's identity that differs between this call and a stored one. */
export interface IdentityDifference {
  readonly component: "module" | "version" | "codeDigest";
  /** The stored call's value. */
  readonly stored: string | Version;
  /** This call's value. */
  readonly probe: string | Version;
}

/** An argument that differs between this call and a stored one. */
export interface ArgumentDifference {
  /** The parameter name. */
  readonly name: string;
  /**
   * `changed`: both calls have it with different values; `added`: only this call has it (the
   * parameters changed); `removed`: only the stored call has it.
   */
  readonly change: "changed" | "added" | "removed";
  /** The digest of the stored call's value (absent when `added`). */
  readonly storedDigest?: string;
  /** The digest of this call's value (absent when `removed`). */
  readonly probeDigest?: string;
  /**
   * A short description of the difference when both values load, stored first: `0.01 → 0.001`,
   * `Float64Array(1000) differs at [17]: 0.5 → 0.25`. Absent when a value is not at hand (a `D(...)`
   * reference, a value gone from the store).
   */
  readonly detail?: string;
}

/** A stored call of the same function and how it differs from this one. */
export interface Neighbour {
  /** The stored call's record. */
  readonly record: CallRecord;
  /** Identity components that differ (only those this call's identity is known for). */
  readonly identity: readonly IdentityDifference[];
  /** Arguments that differ, in parameter order. */
  readonly arguments: readonly ArgumentDifference[];
  /** How many components differ: `identity.length + arguments.length`. */
  readonly distance: number;
}

/** Why caching was skipped for this call. */
export interface Skipped {
  /** `indigestible`: an argument has no digest; `missing-required`: a `require`d argument is missing. */
  readonly reason: "indigestible" | "missing-required";
  /** The error the wrapper warns with. */
  readonly message: string;
  /** With `strict`, the call throws this error instead of running uncached. */
  readonly strict: boolean;
}

/** The report of `f.explain(...)` and `fleche why`. */
export interface Explanation {
  /** The function's name. */
  readonly name: string;
  /** The call's lookup key, or null when it has none (skipped, or `fleche why` without the identity). */
  readonly key: string | null;
  readonly verdict: Verdict;
  /** One sentence saying why. */
  readonly summary: string;
  /** The cache refuses writes (a read-only or filtered view): a miss computed through it is not stored. */
  readonly readOnly: boolean;
  /** For `skipped`. */
  readonly skipped?: Skipped;
  /** For `unreadable`: the result's digest and what went wrong loading it. */
  readonly unreadable?: { readonly result: string; readonly problem: string };
  /** For `unknown-function`: stored function names close to this one, closest first. */
  readonly similarNames?: readonly string[];
  /** For `differs` and `arguments-stored`: the nearest stored calls of the function, nearest first (at most 3). */
  readonly nearest?: readonly Neighbour[];
  /** The whole report as text (what `fleche why` prints). */
  readonly text: string;
}
