import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import * as zlib from "node:zlib";
import { crc32, crcHex } from "../../src/fs/crc32.js";

// Every size class takes another implementation (table, zlib, @node-rs/crc32): all must agree with zlib.
describe("crc32", () => {
  it("matches the CRC-32 check value of '123456789'", () => {
    assert.equal(crcHex(crc32(Buffer.from("123456789"))), "cbf43926");
  });

  it("agrees with zlib for every size class, whole and continued from a start value", () => {
    for (const size of [0, 1, 7, 8, 127, 128, 1000, 64 * 1024 - 1, 64 * 1024, 1024 * 1024 + 3]) {
      const data = randomBytes(size);
      assert.equal(crc32(data), zlib.crc32(data), `size ${size}`);
      const cut = size >> 1;
      assert.equal(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), zlib.crc32(data), `size ${size}, in two parts`);
    }
  });

  it("uses the optional SIMD package for large inputs when it is installed", () => {
    // Installed as an optional dependency in this repository: the fast path is the one tested here.
    const simd = createRequire(import.meta.url)("@node-rs/crc32") as { crc32(data: Uint8Array, start?: number): number };
    const data = randomBytes(256 * 1024);
    assert.equal(simd.crc32(data), zlib.crc32(data));
    assert.equal(simd.crc32(data, 12345), zlib.crc32(data, 12345));
  });
});
