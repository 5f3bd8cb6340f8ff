/**
 * The `msgpack` serializer: compact, fast binary files that other languages read (plain MessagePack: no
 * msgpackr records or extensions). Values MessagePack lacks (Map, Set, Date, BigInt, `undefined`, `-0`,
 * typed arrays, strings with lone surrogates, registered class instances) are tagged like in JSON; cycles,
 * functions, symbols and unregistered class instances are refused with a `SaveError`.
 *
 * msgpackr is imported on first use, so processes that never touch a MessagePack file never load it.
 */
import { ConfigError } from "../errors.js";
import { toTagged, type TagProfile } from "./tagged.js";
import { fromTagged } from "./untag.js";
import type { Encoded, Serializer } from "./types.js";

const PROFILE: TagProfile = { name: "msgpack", graph: false, bytes: true, nonFinite: true, wellFormed: true };

interface Packr {
  pack(value: unknown): Uint8Array;
  unpack(bytes: Uint8Array): unknown;
}

let packr: Packr | undefined;
let loading: Promise<void> | undefined;

function loaded(): Packr {
  if (!packr) throw new ConfigError("The msgpack serializer is not loaded yet (call load() first)");
  return packr;
}

export const msgpackSerializer: Serializer = {
  name: "msgpack",
  get ready() {
    return packr !== undefined;
  },
  load(): Promise<void> {
    loading ??= import("msgpackr").then(
      (module) => {
        // Standard MessagePack only: records and structured-clone extensions would be unreadable elsewhere.
        packr = new module.Packr({ useRecords: false, structuredClone: false, moreTypes: false, mapsAsObjects: true, variableMapSize: true, int64AsType: "bigint" });
      },
      (error: unknown) => {
        loading = undefined;
        throw new ConfigError(`The msgpack serializer needs the package 'msgpackr' (npm install msgpackr): ${(error as Error).message}`, { cause: error });
      },
    );
    return loading;
  },
  encode(value: unknown): Encoded {
    const { tree, tagged } = toTagged(value, PROFILE);
    return { bytes: loaded().pack(tree), tagged };
  },
  decode(bytes: Uint8Array, tagged: boolean): unknown {
    const tree = loaded().unpack(bytes);
    return tagged ? fromTagged(tree, false) : tree;
  },
};
