/**
 * The integrity check of an S3 store, without downloading value bodies unless asked to (`deep`): every
 * value's header line is read by a ranged GET and its stored length compared with the object's (a
 * truncated or extended object), a split value's parts must be listed and must not lead back to itself
 * (a cycle); every call record (a small object) is read whole and checked as `loadCall` would. With
 * `deep`, every value is downloaded, checked (check value or signature), decoded and re-hashed against
 * its key. With `repair`, what is unusable is removed, and values left incomplete by a removed part are
 * checked again (and removed) in turn.
 */
import { checkDigest } from "../envelope/digest-check.js";
import type { KeyStream, VerifyOptions, VerifyReport } from "../types.js";
import { Corrupt } from "../envelope/decoded.js";
import { lengthProblem, type Header } from "../envelope/envelope.js";
import { RecordProblem } from "../file/records.js";
import { cyclic } from "../file/verify.js";

/** What the check needs from its store. */
export interface ObjectChecks {
  values(): KeyStream;
  calls(): KeyStream;
  /** The header of a value and the length of its stored payload; undefined when absent. @throws Corrupt */
  header(key: string): Promise<{ readonly header: Header; readonly length: number } | undefined>;
  /** Load a value whole (parts assembled), throwing problems as they are and removing nothing. */
  load(key: string): Promise<unknown>;
  /** Check a record; false when absent. @throws RecordProblem */
  record(key: string): Promise<boolean>;
  removeValue(key: string): Promise<void>;
  removeCall(key: string): Promise<void>;
}

/** Check every object of a store. */
export async function verifyObjects(options: VerifyOptions, check: ObjectChecks): Promise<VerifyReport> {
  const values: string[] = [];
  for await (const key of check.values()) values.push(key);
  const calls: string[] = [];
  for await (const key of check.calls()) calls.push(key);
  const total = values.length + calls.length;
  const deep = options.deep === true;
  const problems: { key: string; problem: string }[] = [];
  let removed = 0;
  let done = 0;
  options.onProgress?.(0, total);
  const report = async (kind: "value" | "call record", key: string, error: Corrupt | RecordProblem): Promise<boolean> => {
    problems.push({ key, problem: `${kind} ${key}: ${error.message}` });
    if (!options.repair || (error instanceof Corrupt && error.newer)) return false;
    await (kind === "value" ? check.removeValue(key) : check.removeCall(key));
    removed++;
    return true;
  };

  const present = new Set(values);
  const parts = new Map<string, readonly string[]>();
  for (const key of values) {
    try {
      const found = await check.header(key);
      if (found) {
        const { header, length } = found;
        if (length !== header.n) throw new Corrupt(lengthProblem(length, header.n));
        parts.set(key, header.c ?? []);
        if (deep) await deepCheck(check, key);
      }
    } catch (error) {
      if (!(error instanceof Corrupt)) throw error;
      if (await report("value", key, error)) present.delete(key);
    }
    options.onProgress?.(++done, total);
  }
  for (const key of cyclic(parts)) {
    if (await report("value", key, new Corrupt("it contains itself through its parts (a cycle: every load of it would fail)"))) present.delete(key);
  }
  // A value whose part is missing (or was just removed) is incomplete; removing it may leave others so.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, children] of parts) {
      if (!present.has(key)) continue;
      const missing = children.filter((child) => !present.has(child));
      if (!missing.length) continue;
      const removedIt = await report("value", key, new Corrupt(`its part${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing`));
      parts.delete(key);
      if (removedIt) {
        present.delete(key);
        changed = true;
      }
    }
  }
  for (const key of calls) {
    try {
      await check.record(key);
    } catch (error) {
      const problem = error instanceof Corrupt ? new RecordProblem(error.message) : error;
      if (!(problem instanceof RecordProblem)) throw error;
      await report("call record", key, problem);
    }
    options.onProgress?.(++done, total);
  }
  return { checked: total, problems, removed };
}

/** Download, check, decode and re-hash one value. @throws Corrupt */
async function deepCheck(check: ObjectChecks, key: string): Promise<void> {
  let value: unknown;
  try {
    value = await check.load(key);
  } catch (error) {
    if ((error as { code?: string }).code === "FLECHE_MISS") return; // removed meanwhile, or a missing part (reported below)
    throw error;
  }
  checkDigest(value, key);
}
