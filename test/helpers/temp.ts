/** Temporary directories for tests that touch the file system, removed when the test file ends. */
import { after } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under one per-file base directory (removed after the file's tests). */
export function tempDirs(label: string): () => string {
  const base = mkdtempSync(join(tmpdir(), `fleche-${label}-`));
  let n = 0;
  after(() => rmSync(base, { recursive: true, force: true }));
  return () => join(base, `d${n++}`);
}
