/** The stores fleche ships, registered under their config `type` names (one line per store). */
import { checkOptions, registerStore } from "./registry.js";
import { Memory } from "./memory.js";
import { Void } from "./void.js";
import { fileStoreFromConfig } from "./file/config.js";

registerStore("memory", (options, context) => (checkOptions(options, [], context, "memory"), new Memory()));
registerStore("void", (options, context) => (checkOptions(options, [], context, "void"), new Void()));
registerStore("file", fileStoreFromConfig);
