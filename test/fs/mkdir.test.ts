/** makeDirectory: parents first, a clear error naming the failing component, never an endless loop. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectoryError, makeDirectory } from "../../src/fs/mkdir.js";
import { Sql } from "../../src/index.js";
import { tempDirs } from "../helpers/temp.js";

const dir = tempDirs("mkdir");

describe("makeDirectory", () => {
  it("creates missing parents, and is a no-op on an existing directory", () => {
    const path = join(dir(), "a", "b", "c");
    makeDirectory(path);
    assert.ok(statSync(path).isDirectory());
    makeDirectory(path);
  });

  it("names the component a file is in the way of", () => {
    const root = dir();
    makeDirectory(root);
    writeFileSync(join(root, "file"), "x");
    assert.throws(
      () => makeDirectory(join(root, "file", "sub")),
      (e: unknown) => e instanceof DirectoryError && e.path === join(root, "file") && /a file of that name is in the way/.test(e.message),
    );
  });

  it("gives up at once where the system refuses forever (/proc), instead of spinning as mkdirSync({ recursive }) does", { skip: !existsSync("/proc/self"), timeout: 10_000 }, () => {
    assert.throws(() => makeDirectory("/proc/fleche-no-such/dir"), (e: unknown) => e instanceof DirectoryError && e.path === "/proc/fleche-no-such");
    assert.throws(() => new Sql({ url: "sqlite:////proc/fleche-no-such/calls.db" }), /cannot create the directory \/proc\/fleche-no-such/);
  });
});
