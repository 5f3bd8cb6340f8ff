/**
 * The `json` serializer: human-readable files any language can parse. Values JSON cannot hold (Map, Set,
 * Date, BigInt, `undefined`, NaN, `-0`, binary data, registered class instances) are tagged so they
 * round-trip (see `tagged.ts`); cycles, functions, symbols and unregistered class instances are refused
 * with a `SaveError`. Shared references come back as copies.
 */
import { toTagged, type TagProfile } from "./tagged.js";
import { fromTagged } from "./untag.js";
import type { Encoded, Serializer } from "./types.js";

const PROFILE: TagProfile = { name: "json", graph: false, bytes: false, nonFinite: false, wellFormed: false };

export const jsonSerializer: Serializer = {
  name: "json",
  ready: true,
  load: () => Promise.resolve(),
  encode(value: unknown): Encoded {
    const { tree, tagged } = toTagged(value, PROFILE);
    return { bytes: Buffer.from(JSON.stringify(tree)), tagged };
  },
  decode(bytes: Uint8Array, tagged: boolean): unknown {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const tree: unknown = JSON.parse(text);
    return tagged ? fromTagged(tree, false) : tree;
  },
};
