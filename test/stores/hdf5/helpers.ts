/** Shared pieces of the HDF5 store tests: temporary roots removed after the file's tests. */
import { after } from "node:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bases: string[] = [];
after(() => {
  for (const base of bases) rmSync(base, { recursive: true, force: true });
});

/** A fresh, empty directory (removed when the test file is done). */
export function tempRoot(label = "root"): string {
  const base = mkdtempSync(join(tmpdir(), `fleche-hdf5-${label}-`));
  bases.push(base);
  return base;
}

/** The entry files in a directory (names ending in .h5), sorted. */
export function h5Files(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(".h5")).sort();
}

/** A 64-hex key starting with `head`. */
export const KEY = (head: string): string => head.padEnd(64, "0");
