/**
 * Bound calls of recent all-primitive argument lists, so a hot cached call like `tiny(1, 2)` finds its
 * key with a few map lookups instead of binding, digesting and hashing again. Sound because a call
 * whose arguments are primitives is immutable and its key depends on nothing else. Bounded: the table
 * is cleared when it holds too many calls.
 */
import type { Call } from "./call.js";

type Node = Map<unknown, Node | Call>;

const LIMIT = 4096;
const STRING_LIMIT = 256;

/** Per wrapped function: argument values (by position) → the bound call. */
export class CallMemo {
  readonly #roots = new Map<number, Node>();
  #size = 0;

  /** The memoised call for `args`, or undefined (also when `args` are not all memoisable). */
  get(args: readonly unknown[]): Call | undefined {
    let node = this.#roots.get(args.length);
    if (!node) return undefined;
    const last = args.length - 1;
    for (let i = 0; i < last; i++) {
      if (!memoisable(args[i])) return undefined;
      node = node.get(args[i]) as Node | undefined;
      if (!node) return undefined;
    }
    if (last < 0) return node.get(undefined) as Call | undefined;
    return memoisable(args[last]) ? (node.get(args[last]) as Call | undefined) : undefined;
  }

  /** Remember `call` for `args` when every argument is memoisable. */
  set(args: readonly unknown[], call: Call): void {
    for (const arg of args) if (!memoisable(arg)) return;
    if (this.#size >= LIMIT) {
      this.#roots.clear();
      this.#size = 0;
    }
    let node = this.#roots.get(args.length);
    if (!node) this.#roots.set(args.length, (node = new Map()));
    const last = args.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(args[i]) as Node | undefined;
      if (!next) node.set(args[i], (next = new Map()));
      node = next;
    }
    node.set(last < 0 ? undefined : args[last], call);
    this.#size++;
  }
}

/** Primitives a Map keys exactly as the digest distinguishes them (not -0: Map conflates it with 0). */
function memoisable(value: unknown): boolean {
  switch (typeof value) {
    case "number":
      return value !== 0 || 1 / value > 0;
    case "boolean":
    case "undefined":
    case "bigint":
      return true;
    case "string":
      return value.length <= STRING_LIMIT;
    case "object":
      return value === null;
    default:
      return false;
  }
}
