/**
 * How `FileStore.verify` checks one entry: a value file is read and checked as a load would (length,
 * check value or signature, bounded decompression) and its parts must exist; with `deep`, the value is
 * also loaded (parts assembled) and re-hashed against its key. A record file is checked as `loadCall`
 * would. Values are deserialized only with `deep`.
 */
import { checkDigest, checkParts } from "../envelope/digest-check.js";
import { existsSync, readFileSync } from "node:fs";
import type { MaybePromise } from "../../maybe.js";
import { Corrupt } from "../envelope/decoded.js";
import type { Layout } from "./layout.js";
import { decodeRecord } from "./records.js";
import type { Signer } from "../envelope/signing.js";
import type { ValueFiles } from "./value-files.js";
import type { EntryChecks } from "./verify.js";

/** What the checks need from their store. */
export interface EntryContext {
  readonly layout: Layout;
  readonly signer: Signer;
  readonly files: ValueFiles;
  /** Load a value, assembling its parts, throwing problems as they are and removing nothing. */
  load(key: string): MaybePromise<unknown>;
}

/** The entry checks of one store. */
export function entryChecks(context: EntryContext): EntryChecks {
  const { layout, signer, files } = context;
  return {
    value: async (key, path, deep) => {
      const file = await files.read(key, path);
      const children = file.header.c ?? [];
      const missing = children.filter((child) => !existsSync(layout.valuePath(child)));
      checkParts(missing);
      if (deep) {
        // A whole value is decoded from the file just read; a split one is assembled from its parts.
        const value = children.length ? await context.load(key) : await wholeValue(files, file);
        checkDigest(value, key);
      }
      return children;
    },
    call: (key, path) => {
      decodeRecord(readFileSync(path), key, signer);
    },
  };
}

async function wholeValue(files: ValueFiles, file: Awaited<ReturnType<ValueFiles["read"]>>): Promise<unknown> {
  const decoded = await files.decode(file);
  if (!("whole" in decoded)) throw new Corrupt("its parts do not match its header");
  return decoded.whole;
}
