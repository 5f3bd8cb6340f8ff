/**
 * What a checked value file holds once its payload is deserialized: a whole value, or the parts of a
 * split container. And {@link Corrupt}, the reason an entry cannot be used.
 */
import type { Serializer } from "../../serializers/types.js";
import type { PartsNode } from "../destructure.js";
import type { Header } from "./envelope.js";

/** An entry cannot be used: corrupt, truncated, tampered, or from a newer format. */
export class Corrupt extends Error {
  /** Not corrupt but unreadable by this version: reported, never removed. */
  readonly newer: boolean;

  constructor(reason: string, newer = false) {
    super(reason);
    this.newer = newer;
  }
}

/** What a value file holds once its payload is decoded. */
export type Decoded = { readonly whole: unknown } | { readonly parts: PartsNode };

/** Deserialize the (checked, decompressed) `payload` described by `header`. @throws Corrupt when it does not decode. */
export function decodeWith(serializer: Serializer, file: { readonly header: Header; readonly payload: Uint8Array }): Decoded {
  const { header } = file;
  let value: unknown;
  try {
    value = serializer.decode(file.payload, header.k === 1);
  } catch (error) {
    throw new Corrupt(`its ${serializer.name} payload does not decode (${(error as Error).message})`);
  }
  if (header.d === undefined) return { whole: value };
  if (!Array.isArray(value) || header.r!.some((slot) => slot >= value.length)) throw new Corrupt("its parts do not match its header");
  return { parts: { kind: header.d, items: value, slots: header.r!, children: header.c!, ...(header.p === 1 ? { nullPrototype: true } : {}) } };
}
