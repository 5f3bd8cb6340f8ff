/**
 * How values that have no built-in digest rule become digestible: a `[Symbol.for("fleche.digest")]()`
 * method on the value, a hook registered with {@link registerDigest}, or (for fleche's own wrapper) the
 * function a wrapper stands for.
 */

/**
 * The well-known symbol of the digest protocol. An object (or function) with a method under this key
 * digests as the value the method returns, e.g.
 * `[digestSymbol]() { return ["Point", this.x, this.y]; }`. `Symbol.for` makes it the same symbol in every
 * copy of the library and in code that does not import fleche at all.
 */
export const digestSymbol: unique symbol = Symbol.for("fleche.digest") as never;

/** A registered digest hook. */
export interface DigestHook {
  readonly predicate: (value: unknown) => boolean;
  readonly fn: (value: any) => unknown;
}

/** Registered hooks, oldest first; the encoder walks them newest first and skips them when empty. */
export const hooks: DigestHook[] = [];

/**
 * Make values that `predicate` accepts digestible: they digest as the value `fn` returns (digested in
 * turn, under a "custom" tag). Return an array that names the type and lists the fields that matter,
 * e.g. `registerDigest((v) => v instanceof Point, (p) => ["Point", p.x, p.y])`.
 *
 * Hooks apply to objects and functions (primitives always use their built-in rule). They are checked
 * before the `[Symbol.for("fleche.digest")]()` method and the built-in rules; the newest registration
 * wins when several match.
 *
 * @returns A function that removes this hook again (calling it twice is harmless).
 */
export function registerDigest(predicate: (value: unknown) => boolean, fn: (value: any) => unknown): () => void {
  const hook: DigestHook = { predicate, fn };
  hooks.push(hook);
  return () => {
    const index = hooks.indexOf(hook);
    if (index >= 0) hooks.splice(index, 1);
  };
}

/** The newest hook whose predicate accepts `value`, if any. */
export function findHook(value: object): DigestHook | undefined {
  for (let i = hooks.length - 1; i >= 0; i--) {
    const hook = hooks[i]!;
    if (hook.predicate(value)) return hook;
  }
  return undefined;
}

const wrapped = new WeakMap<Function, Function>();

/**
 * Declare that `wrapper` stands for `original`, so `digest(wrapper) === digest(original)`. fleche's
 * wrapper registers itself here: passing a cached function as an argument keys like passing the function
 * it caches.
 */
export function registerWrapped(wrapper: Function, original: Function): void {
  if (wrapper !== original) wrapped.set(wrapper, original);
}

/** The innermost original behind a chain of wrappers (a wrapper of a wrapper...). */
export function unwrap(fn: Function): Function {
  // The bound guards against a wrapper registered (indirectly) as its own original.
  for (let hops = 0; hops < 100; hops++) {
    const original = wrapped.get(fn);
    if (original === undefined) return fn;
    fn = original;
  }
  return fn;
}
