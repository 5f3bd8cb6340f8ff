/**
 * Objects a value store has written as entries, remembered by identity (weakly: remembering never keeps
 * a value alive). Destructuring uses it to find shared parts cheaply: an argument that reappears inside a
 * result is the same object, so it is found by a lookup, not by digesting every part of every value.
 */
import { digest } from "../digest/index.js";
import { Indigestible } from "../errors.js";

/** Objects written as entries, and the key of each. */
export class KnownParts {
  readonly #keys = new WeakMap<object, string>();

  /** Remember that `value` was written under `key` (primitives are not remembered). */
  remember(value: unknown, key: string): void {
    if (typeof value === "object" && value !== null) this.#keys.set(value, key);
  }

  /**
   * The key `value` was written under, when it is still unchanged: an object may have been mutated since
   * (a function body changing its argument), so its digest is checked against the key. Costs a digest,
   * only for objects that were written before.
   */
  unchanged(value: object): string | undefined {
    const key = this.#keys.get(value);
    if (key === undefined) return undefined;
    let now: string;
    try {
      now = digest(value);
    } catch (error) {
      if (error instanceof Indigestible) return undefined;
      throw error;
    }
    if (now === key) return key;
    this.#keys.delete(value); // changed: the entry under `key` holds what it was, not what it is
    return undefined;
  }
}
