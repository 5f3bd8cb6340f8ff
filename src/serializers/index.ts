/**
 * Serializers by name, and the class registry they share. A file names the serializer that wrote it, so
 * a store reads files of every serializer whatever its own setting.
 */
import { ConfigError } from "../errors.js";
import { jsonSerializer } from "./json.js";
import { msgpackSerializer } from "./msgpack.js";
import { v8Serializer } from "./v8.js";
import { registerClass } from "./classes.js";
import { NdArray, type NumericArray } from "../ndarray.js";
import type { Serializer, SerializerName } from "./types.js";

export type { Encoded, Serializer, SerializerName } from "./types.js";
export { registerClass, type ClassOptions } from "./classes.js";

// fleche's own n-dimensional array travels through every serializer (rebuilt, and so checked, by its constructor).
registerClass(NdArray, {
  name: "fleche.NdArray",
  encode: (array) => ({ data: array.data, shape: [...array.shape] }),
  decode: (data) => {
    const { data: elements, shape } = data as { data: NumericArray; shape: number[] };
    return new NdArray(elements, shape);
  },
});

const serializers: ReadonlyMap<string, Serializer> = new Map<string, Serializer>([
  ["v8", v8Serializer],
  ["json", jsonSerializer],
  ["msgpack", msgpackSerializer],
]);

/** The names of the serializers. */
export const SERIALIZER_NAMES: readonly SerializerName[] = ["v8", "json", "msgpack"];

/** True for a serializer name. */
export function isSerializerName(name: unknown): name is SerializerName {
  return typeof name === "string" && serializers.has(name);
}

/** The serializer called `name`, or undefined. */
export function serializerNamed(name: string): Serializer | undefined {
  return serializers.get(name);
}

/** The serializer called `name`; `where` names the option in the error. */
export function requireSerializer(name: unknown, where: string): Serializer {
  const found = typeof name === "string" ? serializers.get(name) : undefined;
  if (!found) throw new ConfigError(`${where}: unknown serializer ${JSON.stringify(name)} (known: ${SERIALIZER_NAMES.join(", ")})`);
  return found;
}
