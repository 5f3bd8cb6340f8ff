/**
 * Call records in HDF5: each record is its JSON text, a scalar UTF-8 string dataset `/<key>` tagged
 * `CallRecord` (with its CRC-32 like every dataset). JSON keeps records exact (version `1` vs `"1"`,
 * nulls) and readable anywhere: `json.loads(f[key][()])` in h5py.
 */
import { freezeRecord, recordProblem, type CallRecord } from "../../call-record.js";
import { Tag, TypeClass } from "./codec/format.js";
import { Damaged, type NodeReader } from "./codec/node-reader.js";
import { fixedString, writeNode } from "./codec/write-plan.js";
import type { EntryWriter } from "./files/entry-files.js";

/** Writes `record` as an entry. */
export function recordWriter(record: CallRecord): EntryWriter {
  // JSON.stringify escapes NUL and lone surrogates, so the text survives UTF-8; it never ends in a space,
  // so a fixed-length string (cheaper to read than a variable-length one) holds it exactly.
  const json = JSON.stringify(record);
  const plan = { kind: "dataset", tag: Tag.CallRecord, data: json, dtype: fixedString(json), shape: [] } as const;
  return (parent, name) => writeNode(parent, name, plan, { deflateLevel: 0 });
}

/** Reads the record at `path`, checking that it is one and that it carries the key it is filed under. */
export function readRecord(reader: NodeReader, path: string): CallRecord {
  const tag = reader.tag(path);
  if (tag !== Tag.CallRecord && tag !== undefined) throw new Damaged(`it is tagged '${tag}', not a call record`);
  const { meta, value } = reader.dataset(path);
  if (meta.type !== TypeClass.string || typeof value !== "string") throw new Damaged("it holds no JSON text");
  let record: unknown;
  try {
    record = JSON.parse(value);
  } catch (error) {
    throw new Damaged(`its JSON does not parse (${(error as Error).message})`);
  }
  const problem = recordProblem(record);
  if (problem !== undefined) throw new Damaged(`it is not a call record: ${problem}`);
  if (`/${(record as CallRecord).key}` !== path) throw new Damaged(`it carries the key ${(record as CallRecord).key}`);
  return freezeRecord(record as CallRecord);
}
