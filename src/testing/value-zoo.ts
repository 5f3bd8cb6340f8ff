/**
 * Values every value store must round-trip exactly (stores may refuse some with `SaveError`, declared
 * through the suite's `refuses` option, never by silently returning something else).
 */

/** One value of {@link valueZoo}. */
export interface ZooEntry {
  /** What the value is, as named in test titles and in a suite's `refuses` option. */
  readonly label: string;
  /** Builds the value (a new instance on every call). */
  readonly make: () => unknown;
}

/**
 * The values of the value-store suite: numbers with edge cases, bigints, strings, containers, typed
 * arrays, dates, regexps, nested mixes and large values. Each entry's `label` names it in `refuses`.
 */

export const valueZoo: readonly ZooEntry[] = [
  { label: "integer", make: () => 42 },
  { label: "negative zero", make: () => -0 },
  { label: "NaN", make: () => NaN },
  { label: "Infinity", make: () => -Infinity },
  { label: "float", make: () => 0.1 + 0.2 },
  { label: "bigint", make: () => 2n ** 80n },
  { label: "string", make: () => "hello, wörld ✓ 🎉" },
  { label: "empty string", make: () => "" },
  { label: "true", make: () => true },
  { label: "null", make: () => null },
  { label: "array", make: () => [1, "two", [3, [4]], { five: 5 }] },
  { label: "empty array", make: () => [] },
  { label: "plain object", make: () => ({ b: 1, a: { nested: [1, 2, 3] }, "key with space": "x" }) },
  { label: "object with undefined", make: () => ({ a: undefined, b: 1 }) },
  { label: "empty object", make: () => ({}) },
  { label: "Map", make: () => new Map<unknown, unknown>([["a", 1], [2, { b: [3] }]]) },
  { label: "Set", make: () => new Set([1, "a", 3]) },
  { label: "Date", make: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) },
  { label: "RegExp", make: () => /ab+c/gi },
  { label: "Float64Array", make: () => Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i)) },
  { label: "Int32Array", make: () => Int32Array.from([-1, 0, 1, 2 ** 31 - 1]) },
  { label: "Uint8Array", make: () => new Uint8Array([0, 1, 254, 255]) },
  { label: "BigInt64Array", make: () => BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n]) },
  { label: "ArrayBuffer", make: () => new Uint16Array([1, 2, 3]).buffer },
  { label: "nested mix", make: () => ({ when: new Date(0), tags: new Set(["x"]), data: new Float32Array([1.5, -2.5]) }) },
  { label: "large string", make: () => "abc".repeat(100_000) },
];
