/** The stores fleche ships, registered under their config `type` names (one line per store). */
import { checkOptions, registerStore } from "./registry.js";
import { Memory } from "./memory.js";
import { Void } from "./void.js";
import { fileStoreFromConfig } from "./file/config.js";
import { Hdf5Store } from "./hdf5/index.js";
import { sqlFromConfig } from "./sql/store.js";

registerStore("memory", (options, context) => (checkOptions(options, [], context, "memory"), new Memory()));
registerStore("void", (options, context) => (checkOptions(options, [], context, "void"), new Void()));
registerStore("file", fileStoreFromConfig);
registerStore("hdf5", (options, context) => (checkOptions(options, ["root", "prefix_length", "compression"], context, "hdf5"), Hdf5Store.fromConfig(options, context.origin)));
registerStore("sql", sqlFromConfig, ["calls"]);
