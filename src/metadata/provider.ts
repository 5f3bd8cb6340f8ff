/**
 * Metadata providers: small objects that record facts about a call (runtime, environment, git state,
 * tags) under their own namespace of the call record. Metadata is never part of the key.
 */
import type { MaybePromise } from "../maybe.js";
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
  pre?(call: Call): MaybePromise<MetadataFields>;
  post?(pre: MetadataFields, call: Call, result: unknown): MaybePromise<MetadataFields>;
}

/** Run the `pre` hooks of `providers`; the returned states feed {@link runPost}. */
export async function runPre(providers: readonly MetadataProvider[], call: Call): Promise<MetadataFields[]> {
  const states: MetadataFields[] = [];
  for (const p of providers) states.push(p.pre ? { ...(await p.pre(call)) } : {});
  return states;
}

/** Run the `post` hooks and merge everything into the metadata to store. */
export async function runPost(
  providers: readonly MetadataProvider[],
  states: readonly MetadataFields[],
  call: Call,
  result: unknown,
): Promise<Record<string, MetadataFields>> {
  const metadata: Record<string, MetadataFields> = {};
  for (let i = 0; i < providers.length; i++) {
    const p = providers[i]!;
    const pre = states[i] ?? {};
    const post = p.post ? await p.post(pre, call, result) : {};
    metadata[p.name] = { ...metadata[p.name], ...pre, ...post };
  }
  return metadata;
}
