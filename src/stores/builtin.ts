/**
 * The stores fleche ships, registered by their descriptors (one line per store; each descriptor sits next
 * to its class). Nothing is registered by importing this file: the entry points (`src/index.ts`, the CLI's
 * `src/cli/main.ts`) call {@link registerBuiltinStores}, so that building a cache from config never loads
 * the file, HDF5, SQL and S3 modules as a side effect of an import deep inside, and the config builder need
 * not know them.
 */
import { registerStore, type StoreDescriptor } from "./registry.js";
import { memoryDescriptor } from "./memory.js";
import { voidDescriptor } from "./void.js";
import { fileStoreDescriptor } from "./file/descriptor.js";
import { hdf5StoreDescriptor } from "./hdf5/descriptor.js";
import { sqlStoreDescriptor } from "./sql/descriptor.js";
import { s3StoreDescriptor } from "./s3/descriptor.js";

/** The descriptors of the built-in stores, in the order the docs present them. */
export const BUILTIN_STORES: readonly StoreDescriptor[] = [memoryDescriptor, voidDescriptor, fileStoreDescriptor, hdf5StoreDescriptor, sqlStoreDescriptor, s3StoreDescriptor];

let registered = false;

/**
 * Register the built-in store types (`memory`, `void`, `file`, `hdf5`, `sql`, `s3`). Idempotent: a second call
 * does nothing, so it never replaces a store type a plugin registered under the same name in between.
 */
export function registerBuiltinStores(): void {
  if (registered) return;
  registered = true;
  for (const descriptor of BUILTIN_STORES) registerStore(descriptor);
}
