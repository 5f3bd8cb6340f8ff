/**
 * Reading the nodes of an open HDF5 file: type tags, attributes, members and dataset contents, with the
 * contents checked against their `fleche_crc32`. Problems are reported as {@link Damaged} (the entry is
 * unusable) so the store can turn them into a miss with a warning.
 */
import { Attr, TypeClass, typedArrayNameFor, TYPED_ARRAYS } from "./format.js";
import { crcOfStrings, crcOfView } from "./checksum.js";
import type { H5Metadata, H5Wasm } from "../h5-subset.js";

/** An entry that cannot be read back exactly: damaged, tampered with, or not in a form fleche knows. */
export class Damaged extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "Damaged";
  }
}

/** A dataset's metadata and contents (a typed array, a string, or a list of strings). */
export interface DatasetContents {
  readonly meta: H5Metadata;
  readonly value: unknown;
}

/** Structure facts remembered per open file, at most. */
const MEMO_LIMIT = 20_000;

/** h5wasm's message when an attribute or object does not exist (as opposed to an HDF5 error stack). */
const NOT_DEFINED = "error - name not defined!";

/**
 * What a reader learned about the structure of one file: attributes, node kinds, member lists, dataset
 * objects (with their metadata). A pooled handle keeps one for as long as its file is unchanged (files
 * are replaced, never edited), so a repeated read of a small value costs one HDF5 call, the data read;
 * the data itself is always read from the file and checked against its checksum.
 */
export type StructureMemo = Map<string, unknown>;

/** Reads nodes of one open file. */
export class NodeReader {
  constructor(
    readonly h5: H5Wasm,
    readonly fileId: bigint,
    private readonly memo: StructureMemo = new Map(),
  ) {}

  /** `compute()`, remembered under `key` (failures are not remembered). */
  private remember<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear(); // bounded: a huge file read entry by entry starts over
    this.memo.set(key, value);
    return value;
  }

  /** The `fleche_type` tag of the node at `path`, or undefined when it has none (a foreign file). */
  tag(path: string): string | undefined {
    const tag = this.attribute(path, Attr.type);
    if (tag === undefined || typeof tag === "string") return tag;
    throw new Damaged(`its ${Attr.type} attribute is not a string`);
  }

  /** An attribute's value, or undefined when the node has no such attribute. */
  attribute(path: string, name: string): unknown {
    return this.remember(`${path}\0@${name}`, () => {
      try {
        return new this.h5.Dataset(this.fileId, path).get_attribute(name, false);
      } catch (error) {
        if (error instanceof Error && error.message === NOT_DEFINED) return undefined;
        throw error;
      }
    });
  }

  /** "group", "dataset", or undefined when nothing (or something else) is at `path`. */
  kind(path: string): "group" | "dataset" | undefined {
    return this.remember(`${path}\0kind`, () => {
      const type = this.h5.Module.get_type(this.fileId, path);
      return type === this.h5.Module.H5G_GROUP ? "group" : type === this.h5.Module.H5G_DATASET ? "dataset" : undefined;
    });
  }

  /** Member names of a group, in creation order when tracked (fleche's groups), else by name. */
  members(path: string): readonly string[] {
    return this.remember(`${path}\0members`, () => this.h5.Module.get_names(this.fileId, path, false));
  }

  /** A dataset's contents, verified against its checksum when it has one. */
  dataset(path: string): DatasetContents {
    // h5wasm's Dataset keeps its metadata after the first read; remembered, only the data is read again.
    const dataset = this.remember(`${path}\0dataset`, () => {
      const opened = new this.h5.Dataset(this.fileId, path);
      void opened.metadata;
      return opened;
    });
    const meta = dataset.metadata;
    if (meta.shape === null) return { meta, value: null }; // an empty (H5S_NULL) dataspace, as h5py writes None
    if (meta.type !== TypeClass.integer && meta.type !== TypeClass.float && meta.type !== TypeClass.string) {
      throw new Damaged(`it holds HDF5 type class ${meta.type}, which fleche does not read`);
    }
    if (meta.type === TypeClass.string && !meta.vlen && meta.cset !== 1 && meta.cset !== 0) throw new Damaged("unknown string encoding");
    const value = dataset.value;
    const expected = this.attribute(path, Attr.crc);
    if (expected !== undefined && Number(expected) !== crcOfContents(meta, value)) {
      throw new Damaged(`its contents do not match their checksum (${Attr.crc})`);
    }
    return { meta, value };
  }
}

/** CRC-32 of a dataset's contents as h5wasm returns them (scalars come back as plain numbers). */
function crcOfContents(meta: H5Metadata, value: unknown): number {
  if (meta.type === TypeClass.string) return crcOfStrings(typeof value === "string" ? [value] : (value as string[]));
  if (ArrayBuffer.isView(value)) return crcOfView(value);
  const name = typedArrayNameFor(meta.type, meta.size, meta.signed);
  if (name === undefined) throw new Damaged(`unsupported numeric type of ${meta.size} bytes`);
  const one = new TYPED_ARRAYS[name](1);
  (one as unknown as unknown[])[0] = value;
  return crcOfView(one);
}
