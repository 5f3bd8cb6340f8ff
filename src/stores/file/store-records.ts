/**
 * The call-record side of a FileStore: one JSON file per call (`root/ab/<key>.json`, `records.ts`),
 * written atomically, checked on every read, and, when signed, refused when older than a signed record
 * this process has already seen under the same key (`freshness.ts`).
 */
import { existsSync } from "node:fs";
import { SaveError } from "../../errors.js";
import { writeFileAtomicSync } from "../../fs/atomic.js";
import type { CallRecord } from "../../call-record.js";
import { isFullKey } from "../keys.js";
import type { Signer } from "../envelope/signing.js";
import { RecordProblem, encodeRecord } from "./records.js";
import { Freshness, decodeFreshRecord } from "./freshness.js";
import { readSmallBytes, removeEntry } from "./file-io.js";
import { writeError } from "./value-files.js";
import type { FileStoreRoot } from "./store-root.js";

/** The call records under one FileStore root. */
export class FileStoreRecords {
  /** The newest signed record write time seen per key (replays of older signed records are refused). */
  readonly #freshness = new Freshness();

  constructor(
    private readonly root: FileStoreRoot,
    private readonly signer: Signer,
  ) {}

  save(record: CallRecord): void {
    if (!isFullKey(record.key)) throw new SaveError(`Cannot store a call record in ${this.root.path} under '${record.key}': keys are 64 lowercase hex digits`);
    this.root.prepareWrite();
    const path = this.root.layout.callPath(record.key);
    try {
      writeFileAtomicSync(path, [encodeRecord(record, this.signer, this.signer.enabled ? this.#freshness.stamp(record.key) : 0)]);
    } catch (error) {
      throw writeError(path, error);
    }
    this.root.sweep(record.key);
  }

  /** The record under `key`; undefined when absent, or unusable (then reported and removed). */
  load(key: string): CallRecord | undefined {
    if (!isFullKey(key)) return undefined;
    this.root.open();
    const path = this.root.layout.callPath(key);
    try {
      const bytes = readSmallBytes(path);
      if (bytes === undefined) return undefined;
      return decodeFreshRecord(bytes, key, this.signer, this.#freshness);
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      this.root.discard(path, error);
      return undefined;
    }
  }

  contains(key: string): boolean {
    if (!isFullKey(key)) return false;
    this.root.open();
    return existsSync(this.root.layout.callPath(key));
  }

  evict(key: string): void {
    if (!isFullKey(key)) return;
    this.root.open();
    removeEntry(this.root.layout.callPath(key));
  }
}
