/**
 * The part of h5wasm's API the HDF5 store uses, described structurally so fleche's types never depend on
 * the optional package (it is imported lazily, only when an HDF5 store is first used).
 */

/** Dataset or attribute metadata as h5wasm reports it. */
export interface H5Metadata {
  /** HDF5 type class: 0 integer, 1 float, 3 string, others unsupported here. */
  readonly type: number;
  /** Bytes per element (4 for a variable-length string pointer). */
  readonly size: number;
  readonly signed: boolean;
  readonly littleEndian: boolean;
  readonly vlen: boolean;
  /** String character set: 0 ASCII, 1 UTF-8. */
  readonly cset?: number;
  /** Extent per axis; `[]` for a scalar, null for an empty (H5S_NULL) dataspace. */
  readonly shape: number[] | null;
  readonly total_size: number;
  readonly chunks: number[] | null;
}

/** A filter of a chunked dataset. */
export interface H5Filter {
  readonly id: number;
  readonly name: string;
  readonly cd_values?: number[];
}

/** Arguments of `create_dataset`. */
export interface H5DatasetArgs {
  readonly name: string;
  readonly data: unknown;
  readonly shape?: number[] | null;
  readonly dtype?: string | null;
  readonly chunks?: number[] | null;
  readonly compression?: number;
  readonly compression_opts?: number | number[];
}

/** Anything with attributes (groups and datasets; h5wasm addresses both by file id and path). */
export interface H5Object {
  readonly file_id: bigint;
  readonly path: string;
  get_attribute(name: string, json_compatible: false): unknown;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
}

/** An HDF5 group. */
export interface H5Group extends H5Object {
  keys(): string[];
  create_group(name: string, track_order?: boolean): H5Group;
  create_dataset(args: H5DatasetArgs): H5Dataset;
}

/** An HDF5 dataset. */
export interface H5Dataset extends H5Object {
  readonly metadata: H5Metadata;
  /** NumPy-style dtype string ("<d", "S" for variable-length UTF-8, ...) or a structure for compound types. */
  readonly dtype: unknown;
  readonly value: unknown;
  readonly filters: H5Filter[];
}

/** An attribute, opened by name. */
export interface H5Attribute {
  readonly metadata: H5Metadata;
  readonly shape: number[] | null;
  readonly dtype: unknown;
  readonly value: unknown;
}

/** An open HDF5 file (its root group). */
export interface H5File extends H5Group {
  close(): number;
}

/** Modes of `new File`: read-only, read-write, create/truncate. */
export type H5Mode = "r" | "a" | "w";

/** The low-level module functions used directly (cheaper than building h5wasm objects on the hot path). */
export interface H5Module {
  get_names(fileId: bigint, path: string, recursive: boolean): string[];
  /** H5G_GROUP, H5G_DATASET, ... or -1 when nothing is at `path`. */
  get_type(fileId: bigint, path: string): number;
  get_attribute_names(fileId: bigint, path: string): string[];
  activate_throwing_error_handler(): number;
  readonly H5G_GROUP: number;
  readonly H5G_DATASET: number;
  readonly MAXIMUM_MEMORY: number;
  readonly HEAPU8: Uint8Array;
}

/** The h5wasm package, as `await import("h5wasm/node")` returns it. */
export interface H5Wasm {
  readonly ready: Promise<unknown>;
  readonly File: new (filename: string, mode: H5Mode, options?: { track_order?: boolean; libver?: string | [string, string] }) => H5File;
  readonly Group: new (fileId: bigint, path: string) => H5Group;
  readonly Dataset: new (fileId: bigint, path: string) => H5Dataset;
  readonly Attribute: new (fileId: bigint, path: string, name: string) => H5Attribute;
  readonly Module: H5Module;
}
