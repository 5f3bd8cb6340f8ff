/**
 * `@cached(options)`: a cached class method, with TypeScript 5's standard decorators. The method is
 * wrapped with `fleche()` as any function is: a method whose body reads `this` keys its receiver as the
 * argument `this` (so the class needs a digest rule, docs/digest.md); one that does not ignores it.
 *
 * The default name is `Class.method`, the class being the one that defines the method (found on the
 * first call, whatever subclass the receiver is), so that equally named methods of two classes in one
 * module never share records. `name` in the options overrides it, as for `fleche()`.
 */
import { fleche } from "./fleche.js";
import type { Fleched } from "./wrapped.js";
import type { FlecheOptions } from "./options.js";
import { callerModule } from "./module-name.js";

/** Any method: what {@link cached} decorates. */
// biome-ignore lint: a method's parameters are whatever it declares
export type AnyMethod = (this: any, ...args: any[]) => any;

/**
 * What `cached(options)` returns: a standard method decorator.
 * @typeParam M the decorated method's type (its parameters are kept; it returns a promise)
 */
export type CachedDecorator = <M extends AnyMethod>(method: M, context: ClassMethodDecoratorContext) => M;

/**
 * Cache a class method (a standard TypeScript 5 decorator; not the legacy `experimentalDecorators`).
 * The decorated method returns a promise, as every wrapped function does.
 * @example
 * class Trainer {
 *   @cached({ version: 1 })
 *   async train(lr: number, epochs: number) { return fit(lr, epochs); }
 * }
 */
export function cached(options: FlecheOptions = {}): CachedDecorator {
  return function <M extends AnyMethod>(method: M, context: ClassMethodDecoratorContext): M {
    if (context.kind !== "method") throw new TypeError(`@cached() decorates methods, not ${String(context.kind)}s`);
    if (typeof context.name === "symbol") throw new TypeError("@cached() needs a method with a string name (give `name` in its options for symbol-named methods)");
    const methodName = context.name;
    // The module is read now, at class definition (the class's file is on the stack); the wrapper itself
    // is made on the first call, when the defining class can be found from the receiver.
    const module = options.module === undefined ? callerModule() : options.module;
    let wrapped: Fleched<M> | undefined;
    const replacement = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      wrapped ??= fleche(method, { ...options, module, name: options.name ?? `${definingClass(this, replacement, context.static) ?? "(unknown class)"}.${methodName}` });
      return (wrapped as unknown as (this: unknown, ...a: unknown[]) => Promise<unknown>).apply(this, args);
    };
    Object.defineProperty(replacement, "name", { value: methodName, configurable: true });
    return replacement as unknown as M;
  };
}

/** The name of the class whose prototype (or, for static methods, which itself) holds `method`. */
function definingClass(receiver: unknown, method: Function, isStatic: boolean): string | undefined {
  for (let at = receiver as object | null; at !== null && at !== undefined; at = Object.getPrototypeOf(at)) {
    const own = Object.getOwnPropertyDescriptor(at, method.name);
    if (own?.value === method) {
      const ctor = isStatic ? (at as { name?: unknown }) : (at as { constructor?: { name?: unknown } }).constructor;
      const name = isStatic ? (ctor as { name?: unknown }).name : (ctor as { name?: unknown } | undefined)?.name;
      return typeof name === "string" && name !== "" ? name : undefined;
    }
  }
  return undefined;
}
