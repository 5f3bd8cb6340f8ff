/**
 * A plan (see plan.ts) → HDF5 nodes in an open file. Every node gets its `fleche_type` attribute and
 * every dataset its `fleche_crc32`; groups track creation order, so members come back (in fleche and in
 * h5py) in the order they were written. Large numeric datasets are chunked and deflate-compressed when
 * the store's `compression` is on.
 */
import { Attr, type AnyTypedArray } from "./format.js";
import { crcOfStrings, crcOfView } from "./checksum.js";
import type { H5Group, H5Object } from "../h5-subset.js";
import type { DatasetPlan, PlanAttribute, PlanNode } from "./plan.js";

/** How numeric datasets are written. */
export interface WriteOptions {
  /** Deflate level 1–9 for numeric datasets of at least {@link COMPRESSION_MIN_BYTES}, or 0 for none. */
  readonly deflateLevel: number;
}

/** Smaller datasets are written contiguous and uncompressed: chunking them costs more than it saves. */
export const COMPRESSION_MIN_BYTES = 64 * 1024;

/** Target size of one chunk of a compressed dataset. */
export const CHUNK_BYTES = 1024 * 1024;

/** Write `node` as the member `name` of `parent`. */
export function writeNode(parent: H5Group, name: string, node: PlanNode, options: WriteOptions): void {
  if (node.kind === "group") {
    const group = parent.create_group(name, true);
    tag(group, node.tag);
    for (const [memberName, member] of node.members) writeNode(group, memberName, member, options);
    return;
  }
  const dataset = parent.create_dataset({ name, ...datasetArgs(node, options) });
  tag(dataset, node.tag);
  dataset.create_attribute(Attr.crc, crcOf(node.data), [], "<I");
  for (const [attr, value] of Object.entries(node.attrs ?? {})) writeAttribute(dataset, attr, value);
}

function datasetArgs(node: DatasetPlan, options: WriteOptions) {
  const { data, shape } = node;
  if (typeof data === "string" || isStringList(data)) return { data, shape: [...shape], ...(node.dtype ? { dtype: node.dtype } : {}) };
  const base = { data, shape: [...shape], dtype: node.dtype ?? null };
  if (options.deflateLevel === 0 || data.byteLength < COMPRESSION_MIN_BYTES || shape.length === 0) return base;
  return { ...base, chunks: chunkShape(shape, data.BYTES_PER_ELEMENT), compression: options.deflateLevel };
}

/**
 * Chunks of about {@link CHUNK_BYTES}: whole trailing axes where they fit, the leading axes cut down.
 * `[10000, 300]` float64 → `[436, 300]`; a 1-D array of 100 M float64 → `[131072]`.
 */
export function chunkShape(shape: readonly number[], elementBytes: number): number[] {
  const chunk = shape.map((n) => Math.max(1, n));
  const target = Math.max(1, Math.floor(CHUNK_BYTES / elementBytes));
  let size = chunk.reduce((a, b) => a * b, 1);
  for (let axis = 0; axis < chunk.length && size > target; axis++) {
    const rest = size / chunk[axis]!;
    chunk[axis] = Math.max(1, Math.floor(target / rest));
    size = rest * chunk[axis]!;
  }
  return chunk;
}

/**
 * Tags are short ASCII names, written as fixed-length strings of their exact length: reading one then
 * needs no variable-length buffer to reclaim, one HDF5 call less on every node read.
 */
function tag(object: H5Object, value: string): void {
  object.create_attribute(Attr.type, value, [], fixedString(value));
}

/**
 * The dtype of a fixed-length UTF-8 string holding exactly `text`. Only for text without trailing spaces:
 * HDF5 pads fixed-length strings with spaces, and readers such as h5py strip them.
 */
export function fixedString(text: string): string {
  return `S${Math.max(1, Buffer.byteLength(text))}`;
}

function writeAttribute(object: H5Object, name: string, value: PlanAttribute): void {
  if (typeof value === "string") object.create_attribute(name, value);
  else object.create_attribute(name, value.value, [], value.dtype);
}

function crcOf(data: AnyTypedArray | string | readonly string[]): number {
  if (typeof data === "string") return crcOfStrings([data]);
  if (isStringList(data)) return crcOfStrings(data);
  return crcOfView(data);
}

function isStringList(data: AnyTypedArray | readonly string[]): data is readonly string[] {
  return Array.isArray(data);
}
