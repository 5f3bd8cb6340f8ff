/**
 * Why an object has no digest rule, in words that tell the user what to do about it. Only called on the
 * failure path, so it can afford `instanceof` chains.
 */

/** What to do about a class without a digest rule, naming its own fields (up to four) in the example. */
function howTo(name: string, value: object): string {
  const fields = Object.keys(value).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  const shown = fields.slice(0, 4).map((k) => `this.${k}`);
  const example = [JSON.stringify(name), ...(shown.length ? shown : ["…"]), ...(fields.length > 4 ? ["…"] : [])].join(", ");
  return (
    `give the class a [Symbol.for("fleche.digest")]() method that returns the fields that matter (e.g. [${example}]), ` +
    `or call registerDigest((v) => v instanceof ${name}, (v) => [...])`
  );
}

/** The reason an object that matched no built-in rule is indigestible. */
export function whyIndigestible(value: object): string {
  if (value instanceof Promise || typeof (value as { then?: unknown }).then === "function") {
    return "a Promise (or thenable) has no value yet; await it and pass the result";
  }
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return `a ${value.constructor.name} cannot be enumerated, so its content cannot be digested`;
  }
  if (value instanceof WeakRef || value instanceof FinalizationRegistry) {
    return `a ${value.constructor.name} has identity, not content`;
  }
  if (
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean ||
    value instanceof BigInt ||
    value instanceof Symbol
  ) {
    return "a boxed primitive (new Number(...), Object(...)) is an object with identity; pass the primitive itself";
  }
  if (value instanceof Error) {
    return "an Error object is not digestible (its stack varies); digest err.message or register a hook";
  }
  if (isIterator(value)) {
    return "an iterator or generator can only be read by consuming it; pass an array (e.g. [...it])";
  }
  const name = className(value);
  return `an instance of class ${name} has no digest rule (fleche never digests class instances by their ` +
    `enumerable fields); ${howTo(name, value)}`;
}

/** The reason a plain object with own enumerable symbol-keyed properties is indigestible. */
export const SYMBOL_KEYS =
  "a plain object with enumerable symbol-keyed properties: symbols have identity, not content, so " +
  "they cannot be encoded canonically and ignoring them would make different objects collide";

/** The reason for a symbol value. */
export const SYMBOL_VALUE = "a symbol has identity, not content, so it has no digest";

/** The reason for a thenable plain object. */
export const THENABLE = "a thenable (an object with a then() method) stands for a value not there yet; await it";

/** The reason for a bound function. */
export const BOUND_FUNCTION =
  "a bound function hides its target and bound arguments (its source text is [native code]); " +
  "pass the target function and the arguments separately";

/** The reason for a detached ArrayBuffer or a view of one. */
export const DETACHED = "its ArrayBuffer is detached (transferred), so its bytes are gone";

/** The reason for a digest method or hook returning the very object it digests. */
export const RETURNS_ITSELF =
  "its digest hook or [Symbol.for(\"fleche.digest\")]() method returned the object itself; return plain data " +
  "that describes it instead";

/** The reason for values nested deeper than the call stack allows (or a hook that never bottoms out). */
export const TOO_DEEP =
  "it is nested too deeply to digest (or a digest hook keeps returning values that need another hook)";

function isIterator(value: object): boolean {
  const candidate = value as { next?: unknown; [Symbol.iterator]?: unknown };
  return typeof candidate.next === "function" && typeof candidate[Symbol.iterator] === "function";
}

function className(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor === "function" ? ctor.name : undefined;
  return typeof name === "string" && name !== "" ? name : "(anonymous)";
}
