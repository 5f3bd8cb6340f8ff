/**
 * Binding: a wrapped function's arguments → parameter names and values, by its {@link Profile}, before
 * anything is digested. It lives above `call.ts` (it needs the profile, which needs the options) so that
 * `Call` depends on nothing above it.
 */
import { THIS } from "./call.js";
import type { Profile } from "./profile.js";

/** Arguments bound to parameter names, before digesting. */
export interface BoundArguments {
  readonly names: string[];
  readonly values: unknown[];
  /** Required parameters that were not passed explicitly. */
  readonly missing: string[];
}

/**
 * Bind `args` to the profile's parameters: trailing `undefined`s dropped, literal defaults applied,
 * extra arguments keyed by position, `this` keyed when the body reads it, ignored parameters left out.
 */
export function bindArguments(profile: Profile, thisArg: unknown, args: readonly unknown[]): BoundArguments {
  let length = args.length;
  while (length > 0 && args[length - 1] === undefined) length--;
  const names: string[] = [];
  const values: unknown[] = [];
  if (profile.usesThis) {
    names.push(THIS);
    values.push(thisArg);
  }
  const params = profile.params;
  let i = 0;
  for (; i < params.length; i++) {
    const p = params[i]!;
    if (p.rest) {
      names.push(p.name);
      values.push(args.slice(i, Math.max(i, length)));
      i = Math.max(i, length);
      break;
    }
    let value = i < length ? args[i] : undefined;
    if (value === undefined) {
      const fallback = p.fallback;
      if (fallback === "opaque") continue; // an unknowable default: keyed as absent
      if (fallback) value = fallback.value;
      else if (i >= length) continue; // omitted
    }
    names.push(p.name);
    values.push(value);
  }
  for (; i < length; i++) {
    names.push(String(i)); // extra arguments still reach the body (via `arguments`), so they are keyed
    values.push(args[i]);
  }
  const missing: string[] = [];
  if (profile.require.size) {
    params.forEach((p, k) => {
      if (profile.require.has(p.name) && (k >= length || args[k] === undefined)) missing.push(p.name);
    });
  }
  if (profile.ignore.size) {
    for (let k = names.length - 1; k >= 0; k--) {
      if (profile.ignore.has(names[k]!)) {
        names.splice(k, 1);
        values.splice(k, 1);
      }
    }
  }
  return { names, values, missing };
}
