/** The serializer contract: how a value becomes the bytes of a file payload and back. */

/** The serializers fleche ships. */
export type SerializerName = "v8" | "json" | "msgpack";

/** A value as bytes, plus whether the bytes hold tags that decoding must revive. */
export interface Encoded {
  readonly bytes: Uint8Array;
  /** True when the payload holds `$fleche` tags (see `tagged.ts`); decoding skips the revival walk otherwise. */
  readonly tagged: boolean;
}

/** Turns values into payload bytes and back. */
export interface Serializer {
  readonly name: SerializerName;
  /** False until a lazily imported dependency is loaded; call {@link Serializer.load} first. */
  readonly ready: boolean;
  /** Load the serializer's dependency (a no-op for built-in ones). */
  load(): Promise<void>;
  /** @throws SaveError when the value cannot be stored by this serializer (the message names the path). */
  encode(value: unknown): Encoded;
  /** @throws Error when the bytes are not a payload of this serializer (the caller treats them as corrupt). */
  decode(bytes: Uint8Array, tagged: boolean): unknown;
}
