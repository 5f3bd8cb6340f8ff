/**
 * Copying an entry's HDF5 nodes from one file to another, exactly as they are (datasets with their
 * dtype, shape, chunking and compression, attributes with their types). h5wasm cannot delete a link or
 * copy an object, so removing an entry from a shared file means writing a new file with every other
 * entry copied across; this is that copy. It works on any tree of groups and numeric or string
 * datasets, fleche's or another tool's, without decoding values.
 */
import type { H5Group, H5Object, H5Wasm } from "../h5-subset.js";

const DEFLATE = 1;

/**
 * A node this copy cannot reproduce (an empty dataspace, a compound type, a link): rewriting its file
 * would lose it, so the rewrite is abandoned instead. Read errors (damage) are thrown as they come.
 */
export class Uncopyable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Uncopyable";
  }
}

/** Copy the node at `path` in the file `fromId` to the member `name` of `to`. */
export function copyNode(h5: H5Wasm, fromId: bigint, path: string, to: H5Group, name: string): void {
  const type = h5.Module.get_type(fromId, path);
  if (type === h5.Module.H5G_GROUP) {
    const group = to.create_group(name, true);
    copyAttributes(h5, fromId, path, group);
    for (const member of h5.Module.get_names(fromId, path, false)) copyNode(h5, fromId, `${path}/${member}`, group, member);
    return;
  }
  if (type < 0) throw new Error(`${path} cannot be read`);
  if (type !== h5.Module.H5G_DATASET) throw new Uncopyable(`${path} is a link or a named datatype`);
  const source = new h5.Dataset(fromId, path);
  const meta = source.metadata;
  if (meta.shape === null) throw new Uncopyable(`${path} has an empty dataspace, which h5wasm cannot write`);
  const deflate = meta.chunks ? source.filters.find((f) => f.id === DEFLATE) : undefined;
  const dataset = to.create_dataset({
    name,
    data: source.value,
    shape: meta.shape,
    dtype: dtypeString(source.dtype, path),
    ...(meta.chunks ? { chunks: meta.chunks } : {}),
    ...(deflate ? { compression: deflate.cd_values?.[0] ?? 4 } : {}),
  });
  copyAttributes(h5, fromId, path, dataset);
}

function copyAttributes(h5: H5Wasm, fromId: bigint, path: string, to: H5Object): void {
  for (const name of h5.Module.get_attribute_names(fromId, path)) {
    const attribute = new h5.Attribute(fromId, path, name);
    if (typeof attribute.dtype !== "string") throw new Uncopyable(`attribute ${name} of ${path} has a compound type, which h5wasm cannot write`);
    to.create_attribute(name, attribute.value, attribute.shape, attribute.dtype);
  }
}

/** A dataset's h5wasm dtype string (e.g. "<d", "S" for variable-length UTF-8). */
function dtypeString(dtype: unknown, path: string): string {
  if (typeof dtype !== "string") throw new Uncopyable(`${path} has a compound or array type, which h5wasm cannot write`);
  return dtype;
}
