/**
 * `D(...)` arguments: references to stored values passed in place of the values. A reference bound to a
 * single parameter keys by its digest and loads only when the body runs; one in a rest position keys as
 * its value.
 */
import { D, isDigest, type Digest } from "./digest/index.js";
import type { CacheLike } from "./cache-like.js";
import type { Profile } from "./profile.js";

/**
 * Expand short digests of arguments bound to a single parameter (they stay references, keyed by
 * digest, and load only on a miss); load references that land in a rest or extra position now, so
 * they key as their value inside the bundled array.
 */
export async function expandReferences(profile: Profile, cache: CacheLike, args: readonly unknown[]): Promise<unknown[]> {
  const single = profile.params.findIndex((p) => p.rest);
  const singles = single === -1 ? profile.params.length : single;
  return Promise.all(
    args.map(async (arg, i) => {
      if (!isDigest(arg)) return arg;
      if (i >= singles) return cache.loadValue(arg.hex);
      return arg.hex.length === 64 ? arg : D(await cache.expand(arg.hex));
    }),
  );
}

/** The arguments the body receives: every reference replaced by the value it names. */
export async function loadReferences(cache: CacheLike, args: readonly unknown[]): Promise<unknown[]> {
  if (!args.some(isDigest)) return args as unknown[];
  return Promise.all(args.map((arg) => (isDigest(arg) ? cache.loadValue((arg as Digest).hex) : arg)));
}
