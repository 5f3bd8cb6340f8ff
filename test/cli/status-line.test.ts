import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { statusLine } from "../../src/cli/status-line.js";

/** A stream that records what is written, posing as a terminal or not (cursor moves recorded as marks). */
function sink(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
  stream.isTTY = tty;
  let text = "";
  Object.assign(stream, {
    cursorTo: () => ((text += "<0>"), true),
    clearLine: () => ((text += "<clear>"), true),
  });
  (stream as unknown as PassThrough).on("data", (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe("CLI status line", () => {
  it("off a terminal: the first status at once, later ones at most once a second, the last one at stop", async () => {
    const out = sink(false);
    const status = statusLine(out.stream);
    status.update("1 done");
    status.update("2 done");
    status.log("failed: f: boom");
    status.update("3 done");
    status.stop();
    await sleep(5);
    assert.deepEqual(out.text().trim().split("\n"), ["1 done", "failed: f: boom", "3 done"]);
  });

  it("off a terminal: a change inside the interval is printed when the interval ends", async () => {
    const out = sink(false);
    const status = statusLine(out.stream);
    const started = Date.now();
    status.update("1 done");
    status.update("2 done");
    await sleep(5);
    assert.deepEqual(out.text().trim().split("\n"), ["1 done"], "the second waits for the interval");
    // Polled rather than slept for: a loaded machine may run the interval's timer late.
    while (!out.text().includes("2 done") && Date.now() - started < 20_000) await sleep(20);
    // 900, not 1000: timers count from the event loop's cached clock, which may lag Date.now() a little.
    assert.ok(Date.now() - started >= 900, "not before the interval ends");
    assert.deepEqual(out.text().trim().split("\n"), ["1 done", "2 done"]);
    status.stop(); // nothing new to print
    await sleep(5);
    assert.deepEqual(out.text().trim().split("\n"), ["1 done", "2 done"]);
  });

  it("on a terminal: one line rewritten in place; logged lines go above it", async () => {
    const out = sink(true);
    const status = statusLine(out.stream);
    status.update("1 done");
    status.update("1 done"); // unchanged: not redrawn
    status.update("2 done");
    status.log("failed: f: boom");
    status.stop();
    await sleep(5);
    assert.equal(out.text(), "<0><clear>1 done<0><clear>2 done<0><clear>failed: f: boom\n<0><clear>2 done\n");
  });
});
