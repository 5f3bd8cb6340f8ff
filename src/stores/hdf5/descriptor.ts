/** `type = "hdf5"` in config files: the descriptor of {@link Hdf5Store}, its options in ./options.ts. */
import type { StoreDescriptor } from "../descriptor.js";
import { Hdf5Store } from "./index.js";
import { HDF5_CONFIG, checkRoot, type Hdf5StoreOptions } from "./options.js";

/** The HDF5 store's descriptor. */
export const hdf5StoreDescriptor: StoreDescriptor<Hdf5Store> = {
  ...HDF5_CONFIG,
  roles: ["values", "calls"],
  summary: "HDF5 files that h5py and HDF5's own tools read: values and calls",
  create(options, context) {
    // Not a `required` option: the message stays "… values: `root` must be a directory path, got undefined".
    checkRoot(options.root, `${context.origin}: \`root\``);
    return new Hdf5Store(options as unknown as Hdf5StoreOptions);
  },
};
