/**
 * The manifest at a file store's root (`fleche-store.json`): the format version, the layout and the
 * digest version, so a later fleche can recognise (and migrate) what an earlier one wrote, and an earlier
 * one refuses, with a clear error, what a later one wrote. It is read once, when the store is first used
 * (one small read: opening a store never scans directories), and written with the first entry.
 */
import { readFileSync } from "node:fs";
import { FlecheError } from "../../errors.js";
import { writeFileAtomicSync } from "../../fs/atomic.js";
import { SHARD_LENGTH } from "./layout.js";

export const FORMAT = "fleche-file-store";
/**
 * The format version this fleche writes. Version 2 added check values to every file (envelope 2,
 * record format 2); a root of version 1 is read (its older entries are misses) and becomes version 2
 * with the first write.
 */
export const FORMAT_VERSION = 2;

/** What the manifest holds. */
export interface Manifest {
  readonly format: typeof FORMAT;
  readonly version: number;
  /** Hex digits of the shard directory names. */
  readonly shard: number;
  /** The digest version of the keys. */
  readonly digest: string;
  /** The serializer of the store that created the root (files name their own; this is informational). */
  readonly serializer: string;
  readonly created: string;
}

/**
 * Read and check the manifest at `path`. Returns undefined when there is none yet.
 * @throws FlecheError (code `FLECHE_FORMAT`) naming the path when the root is not a directory, the
 * manifest cannot be read or parsed, or it comes from a newer format version.
 */
export function readManifest(path: string, root: string): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") throw new FlecheError(`FileStore root ${root} is not a directory (it or a parent is a file); choose another \`root\``, "FLECHE_FORMAT");
    throw new FlecheError(`Cannot read the file store manifest ${path}: ${(error as Error).message}`, "FLECHE_FORMAT", { cause: error });
  }
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new FlecheError(`The file store manifest ${path} is not valid JSON; if this directory is a fleche store, delete the file and fleche writes it again`, "FLECHE_FORMAT");
  }
  if (typeof manifest !== "object" || manifest === null || manifest.format !== FORMAT || !Number.isInteger(manifest.version)) {
    throw new FlecheError(`${path} is not a fleche file store manifest (expected "format": "${FORMAT}")`, "FLECHE_FORMAT");
  }
  if (manifest.version! > FORMAT_VERSION) {
    throw new FlecheError(
      `The file store at ${root} has format version ${manifest.version} (manifest ${path}), newer than version ${FORMAT_VERSION} which this fleche reads; upgrade fleche or use another root`,
      "FLECHE_FORMAT",
    );
  }
  if (manifest.shard !== SHARD_LENGTH) {
    throw new FlecheError(`The file store manifest ${path} describes a layout with ${String(manifest.shard)}-digit shards; this fleche uses ${SHARD_LENGTH}`, "FLECHE_FORMAT");
  }
  return manifest as Manifest;
}

/** Write a fresh manifest (atomically: concurrent first writers each write a complete one). */
export function writeManifest(path: string, serializer: string): Manifest {
  const manifest: Manifest = {
    format: FORMAT,
    version: FORMAT_VERSION,
    shard: SHARD_LENGTH,
    digest: "fleche-digest-v1",
    serializer,
    created: new Date().toISOString(),
  };
  writeFileAtomicSync(path, [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]);
  return manifest;
}
