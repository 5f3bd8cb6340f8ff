/**
 * Metadata providers: small objects that record facts about a call (runtime, environment, git state,
 * tags) under their own namespace of the call record. Metadata is never part of the key.
 */
import { isPromise, type MaybePromise } from "../maybe.js";
import type { JsonValue } from "../call-record.js";
import type { Call } from "../call.js";

/** The namespace dict a provider returns: JSON values only. */
export type MetadataFields = { [key: string]: JsonValue };

/**
 * A metadata provider. `pre` runs before the body, `post` after it with the result; the namespace stored
 * is `{ ...pre(), ...post() }` (post wins on shared keys, so `pre` can stash a baseline that `post`
 * replaces). Providers with the same `name` merge into one namespace, later ones winning.
 */
export interface MetadataProvider {
  /** The namespace, e.g. `"runtime"`. */
  readonly name: string;
  /** Optional: fields gathered before the body runs; also the state handed to `post`. */
  pre?(call: Call): MaybePromise<MetadataFields>;
  /**
   * Optional: fields gathered after the body returned `result`, given what `pre` returned (`{}` without
   * `pre`).
   */
  post?(pre: MetadataFields, call: Call, result: unknown): MaybePromise<MetadataFields>;
}

/**
 * Run the `pre` hooks of `providers`; the returned states feed {@link runPost}. Synchronous when every
 * hook is (the usual case): a miss should not pay a microtask per provider.
 */
export function runPre(providers: readonly MetadataProvider[], call: Call): MaybePromise<MetadataFields[]> {
  const states: MaybePromise<MetadataFields>[] = providers.map((p) => (p.pre ? p.pre(call) : {}));
  return states.some(isPromise) ? Promise.all(states) : (states as MetadataFields[]);
}

/** Run the `post` hooks and merge everything into the metadata to store (synchronous when the hooks are). */
export function runPost(
  providers: readonly MetadataProvider[],
  states: readonly MetadataFields[],
  call: Call,
  result: unknown,
): MaybePromise<Record<string, MetadataFields>> {
  const posts: MaybePromise<MetadataFields>[] = providers.map((p, i) => (p.post ? p.post(states[i] ?? {}, call, result) : {}));
  const merge = (done: readonly MetadataFields[]) => {
    const metadata: Record<string, MetadataFields> = {};
    for (let i = 0; i < providers.length; i++) {
      const name = providers[i]!.name;
      metadata[name] = { ...metadata[name], ...states[i], ...done[i] };
    }
    return metadata;
  };
  return posts.some(isPromise) ? Promise.all(posts).then(merge) : merge(posts as MetadataFields[]);
}
