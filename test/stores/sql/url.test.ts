import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { ConfigError } from "../../../src/index.js";
import { parseSqlUrl, redactUrl, stripPassword } from "../../../src/stores/sql/url.js";
import { filesystemOf, isNetworkFsType } from "../../../src/stores/sql/network-fs.js";

describe("Sql URLs", () => {
  it("reads SQLite URLs as SQLAlchemy does, and resolves them to absolute paths", () => {
    assert.deepEqual(parseSqlUrl("sqlite:////abs/dir/calls.db"), { kind: "sqlite", path: "/abs/dir/calls.db", url: "sqlite:////abs/dir/calls.db" });
    assert.equal((parseSqlUrl("sqlite:///rel/calls.db") as { path: string }).path, resolve("rel/calls.db"));
    assert.equal((parseSqlUrl("sqlite:///calls.db") as { path: string }).path, resolve("calls.db"));
    assert.equal((parseSqlUrl("sqlite://rel/calls.db") as { path: string }).path, resolve("rel/calls.db"));
    assert.equal((parseSqlUrl("sqlite:rel.db") as { path: string }).path, resolve("rel.db"));
    assert.equal((parseSqlUrl("calls.db") as { path: string }).path, resolve("calls.db"));
    assert.equal((parseSqlUrl("./x/../calls.db") as { path: string }).path, resolve("calls.db"));
    assert.equal((parseSqlUrl("/abs/calls.db") as { path: string }).path, "/abs/calls.db");
    assert.equal((parseSqlUrl("~/cache/calls.db") as { path: string }).path, `${homedir()}/cache/calls.db`);
    assert.equal((parseSqlUrl("sqlite:///~/calls.db") as { path: string }).path, `${homedir()}/calls.db`);
    assert.equal((parseSqlUrl("sqlite://~/calls.db") as { path: string }).path, `${homedir()}/calls.db`);
    assert.equal(parseSqlUrl(parseSqlUrl("sqlite:///rel/calls.db").url).url, parseSqlUrl("sqlite:///rel/calls.db").url);
  });

  it("knows the in-memory forms", () => {
    for (const url of [":memory:", "sqlite::memory:", "sqlite://:memory:", "sqlite:///:memory:"]) {
      assert.deepEqual(parseSqlUrl(url), { kind: "sqlite", path: ":memory:", url: ":memory:" });
    }
  });

  it("passes PostgreSQL URLs through", () => {
    assert.deepEqual(parseSqlUrl("postgres://u@h:5432/db"), { kind: "postgres", url: "postgres://u@h:5432/db" });
    assert.equal(parseSqlUrl("postgresql://u:pw@h/db").kind, "postgres");
  });

  it("refuses unknown schemes, malformed and empty URLs with an error naming the URL (password masked)", () => {
    assert.throws(() => parseSqlUrl("mysql://root:hunter2@db/x"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /mysql:\/\/root:\*\*\*@db\/x/);
      assert.match(e.message, /unknown scheme 'mysql'/);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
    assert.throws(() => parseSqlUrl("postgres:relative"), /malformed/);
    assert.throws(() => parseSqlUrl("sqlite:///calls.db?mode=ro"), /query parameters/);
    assert.throws(() => parseSqlUrl("sqlite://"), /names no database file/);
    assert.throws(() => parseSqlUrl(""), ConfigError);
    assert.throws(() => parseSqlUrl(42), ConfigError);
  });

  it("masks and strips passwords", () => {
    assert.equal(redactUrl("postgres://me:s3cret@host/db"), "postgres://me:***@host/db");
    assert.equal(stripPassword("postgres://me:s3cret@host/db"), "postgres://me@host/db");
    assert.equal(redactUrl("postgres://me@host/db"), "postgres://me@host/db");
    assert.equal(redactUrl("sqlite:///a:b@c/x.db"), "sqlite:///a:b@c/x.db");
  });

});

describe("network filesystem detection", () => {
  const mounts = [
    "/dev/vda / ext4 rw,relatime 0 0",
    "server:/export /mnt/shared nfs4 rw 0 0",
    "tmpfs /mnt/shared/local tmpfs rw 0 0",
    "//nas/share /mnt/with\\040space cifs rw 0 0",
    "server:/a /mnt/twice nfs rw 0 0",
    "/dev/vdb /mnt/twice ext4 rw 0 0",
  ].join("\n");

  it("takes the longest mount point containing the path, the last one on ties", () => {
    assert.equal(filesystemOf("/home/me/cache", mounts), "ext4");
    assert.equal(filesystemOf("/mnt/shared/cache", mounts), "nfs4");
    assert.equal(filesystemOf("/mnt/shared", mounts), "nfs4");
    assert.equal(filesystemOf("/mnt/shared/local/x", mounts), "tmpfs");
    assert.equal(filesystemOf("/mnt/sharedother", mounts), "ext4");
    assert.equal(filesystemOf("/mnt/with space/db", mounts), "cifs");
    assert.equal(filesystemOf("/mnt/twice/db", mounts), "ext4");
  });

  it("knows which types are network filesystems", () => {
    for (const t of ["nfs", "nfs4", "cifs", "smb3", "ceph", "fuse.ceph-fuse", "glusterfs", "9p", "lustre", "gpfs", "afs", "fuse.sshfs"]) {
      assert.ok(isNetworkFsType(t), t);
    }
    for (const t of ["ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"]) assert.ok(!isNetworkFsType(t), t);
  });
});
