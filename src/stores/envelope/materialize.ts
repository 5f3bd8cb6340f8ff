/**
 * The value of a decoded value file: as is, or assembled from its parts, each loaded by the caller. A
 * part that is the entry itself or one of the entries it is a part of (a crafted or damaged cycle) makes
 * the entry unusable, since loading it would never end; a part that cannot be loaded makes the value a
 * miss or corrupt (see {@link missingPart}).
 */
import { CacheMiss } from "../../errors.js";
import { isPromise, type MaybePromise } from "../../maybe.js";
import { assemble } from "../destructure.js";
import { Corrupt, type Decoded } from "./decoded.js";

/** The entries a part is being loaded for, innermost first (a linked list: branches share their ancestors). */
export interface Chain {
  readonly key: string;
  readonly parent: Chain | undefined;
}

/** The value `decoded` stands for; `load` loads a part as a part of the entries in `chain`. */
export function materialize(decoded: Decoded, chain: Chain, load: (child: string, chain: Chain) => MaybePromise<unknown>): MaybePromise<unknown> {
  if ("whole" in decoded) return decoded.whole;
  const { parts } = decoded;
  for (const child of parts.children) {
    if (inChain(chain, child)) throw new Corrupt(`it contains itself (its part ${child} is ${child === chain.key ? "the entry itself" : "one of the entries it is a part of"})`);
  }
  const children: MaybePromise<unknown>[] = [];
  let pending = false;
  for (const child of parts.children) {
    let value: MaybePromise<unknown>;
    try {
      value = load(child, chain);
    } catch (error) {
      for (const earlier of children) if (isPromise(earlier)) earlier.catch(() => {}); // settled, not awaited
      throw missingPart(child, error);
    }
    if (isPromise(value)) {
      pending = true;
      children.push(value.catch((error: unknown) => Promise.reject(missingPart(child, error))));
    } else {
      children.push(value);
    }
  }
  const build = (values: readonly unknown[]): unknown => {
    try {
      return assemble(parts, values);
    } catch (error) {
      throw new Corrupt(`its parts do not assemble (${(error as Error).message})`);
    }
  };
  return pending ? Promise.all(children).then(build) : build(children);
}

function inChain(chain: Chain | undefined, key: string): boolean {
  for (let c = chain; c; c = c.parent) if (c.key === key) return true;
  return false;
}

/**
 * A part that cannot be loaded makes the value assembled from it unusable. A missing part is a miss, not
 * a corrupt file to remove: the part may be held aside for a moment by a conditional eviction (touch.ts),
 * and a save of the value rewrites what is missing (its touch fails). A corrupt part (reported and
 * removed already, so its miss carries the Corrupt as cause), or one that contains its own parent, makes
 * the parent corrupt too.
 */
function missingPart(child: string, error: unknown): unknown {
  const corrupt = error instanceof Corrupt ? error : error instanceof CacheMiss && error.cause instanceof Corrupt ? error.cause : undefined;
  if (corrupt) return new Corrupt(`its part ${child} is unusable (${corrupt.message})`);
  return error instanceof CacheMiss ? new CacheMiss(child, `its part ${child} is missing`, { cause: error }) : error;
}
