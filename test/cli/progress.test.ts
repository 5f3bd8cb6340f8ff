import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { progress } from "../../src/cli/progress.js";

/** A stream that records what is written, posing as a terminal or not. */
function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  stream.isTTY = tty;
  stream.columns = 80;
  Object.assign(stream, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = "";
  (stream as unknown as PassThrough).on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe("CLI progress", () => {
  it("prints plain lines when not on a terminal: the first update, phase changes, and the final count", async () => {
    const out = sink(false);
    const p = progress("gc", out.stream);
    for (let i = 1; i <= 5; i++) p.update(i, 5, "reading call records");
    for (let i = 1; i <= 3; i++) p.update(i, 3, "checking values");
    p.stop();
    await new Promise(setImmediate);
    assert.deepEqual(out.text().trim().split("\n"), [
      "gc (reading call records): 1/5",
      "gc (reading call records): 5/5",
      "gc (checking values): 3/3",
    ]);
  });

  it("counts without a total", async () => {
    const out = sink(false);
    const p = progress("copying calls", out.stream);
    p.update(1);
    p.update(2);
    p.stop();
    await new Promise(setImmediate);
    assert.deepEqual(out.text().trim().split("\n"), ["copying calls: 1", "copying calls: 2"]);
  });

  it("draws a bar on a terminal", async () => {
    const out = sink(true);
    const p = progress("verifying", out.stream);
    p.update(1, 4);
    p.update(4, 4);
    p.stop();
    await new Promise(setImmediate);
    assert.match(out.text(), /verifying \[[█░]+\] 4\/4/);
  });
});
