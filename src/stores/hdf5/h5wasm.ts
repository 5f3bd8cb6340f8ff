/**
 * Loading h5wasm, the HDF5 C library compiled to WebAssembly, lazily: the package is optional and its
 * wasm takes a few hundred milliseconds to instantiate, so it is imported only when an HDF5 store is
 * first used, once per process.
 *
 * HDF5 errors are switched to JavaScript exceptions (h5wasm's throwing error handler) instead of error
 * stacks printed on stderr, so a damaged file becomes an exception the store turns into a miss.
 *
 * A wasm instance that aborted (a `WebAssembly.RuntimeError`, e.g. after HDF5 tripped over memory it
 * could not handle) refuses every later call. {@link discardInstance} drops it; the next use imports a
 * fresh instance under a distinct module URL, so one bad file cannot disable the store for the process.
 */
import { FlecheError } from "../../errors.js";
import type { H5Wasm } from "./h5-subset.js";

/** The package and entry point the store loads. */
export const H5WASM_SPECIFIER = "h5wasm/node";

let loaded: H5Wasm | undefined;
let loading: Promise<H5Wasm> | undefined;
let generation = 0;

/** The loaded library, or undefined before the first {@link loadH5wasm} has finished. */
export function loadedH5wasm(): H5Wasm | undefined {
  return loaded;
}

/**
 * Import and initialise h5wasm (once; later calls share the first).
 * @throws FlecheError (code `FLECHE_MISSING_DEPENDENCY`) naming the package when it is not installed.
 */
export function loadH5wasm(): Promise<H5Wasm> {
  if (loaded) return Promise.resolve(loaded);
  if (!loading) {
    // Generation 0 imports the package as usual; later generations (after an abort) import the same file
    // under a query string, which Node treats as a new module with its own wasm instance.
    const url = generation === 0 ? H5WASM_SPECIFIER : `${import.meta.resolve(H5WASM_SPECIFIER)}?instance=${generation}`;
    loading = importH5wasm(url).then(
      (h5) => (loaded = h5),
      (error: unknown) => {
        loading = undefined; // a later install (or a transient failure) may succeed
        throw error;
      },
    );
  }
  return loading;
}

/** Forget an instance that aborted; the next {@link loadH5wasm} instantiates a fresh one. */
export function discardInstance(h5: H5Wasm): void {
  if (loaded === h5) {
    loaded = undefined;
    loading = undefined;
    generation++;
  }
}

/** True for the error a wasm instance throws once it has aborted (it is unusable afterwards). */
export function isWasmAbort(error: unknown): boolean {
  return WasmRuntimeError !== undefined && error instanceof WasmRuntimeError;
}

/** `WebAssembly.RuntimeError` (the WebAssembly global is not in the ES library typings). */
const WasmRuntimeError = (globalThis as { WebAssembly?: { RuntimeError: abstract new () => Error } }).WebAssembly?.RuntimeError;

/**
 * Import one instance of h5wasm from `specifier` (a package entry point or a file URL) and initialise it.
 * Prefer {@link loadH5wasm}, which shares one instance per process.
 */
export async function importH5wasm(specifier: string): Promise<H5Wasm> {
  let module: H5Wasm;
  try {
    module = (await import(specifier)) as H5Wasm;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || /Cannot find (module|package)/.test(String(error))) {
      throw new FlecheError(
        `The HDF5 store needs the optional package 'h5wasm' (npm install h5wasm@0.10), which cannot be loaded: ${(error as Error).message}`,
        "FLECHE_MISSING_DEPENDENCY",
        { cause: error },
      );
    }
    throw error;
  }
  await module.ready;
  module.Module.activate_throwing_error_handler();
  return module;
}
