/**
 * The stores fleche ships, registered under their config `type` names (one line per store). Nothing is
 * registered by importing this file: the entry points (`src/index.ts`, the CLI's `src/cli/main.ts`) call
 * {@link registerBuiltinStores}, so that building a cache from config never loads the file, HDF5 and SQL
 * modules as a side effect of an import deep inside, and the config builder need not know them.
 */
import { checkOptions, registerStore } from "./registry.js";
import { Memory } from "./memory.js";
import { Void } from "./void.js";
import { fileStoreFromConfig } from "./file/config.js";
import { Hdf5Store } from "./hdf5/index.js";
import { sqlFromConfig } from "./sql/store.js";

let registered = false;

/**
 * Register the built-in store types (`memory`, `void`, `file`, `hdf5`, `sql`). Idempotent: a second call
 * does nothing, so it never replaces a store type a plugin registered under the same name in between.
 */
export function registerBuiltinStores(): void {
  if (registered) return;
  registered = true;
  registerStore("memory", (options, context) => (checkOptions(options, [], context, "memory"), new Memory()));
  registerStore("void", (options, context) => (checkOptions(options, [], context, "void"), new Void()));
  registerStore("file", fileStoreFromConfig);
  registerStore("hdf5", (options, context) => (checkOptions(options, ["root", "prefix_length", "compression"], context, "hdf5"), Hdf5Store.fromConfig(options, context.origin)));
  registerStore("sql", sqlFromConfig, ["calls"]);
}
