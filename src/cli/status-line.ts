/**
 * A status that changes over a long run with no known end (a `fleche worker`): one line rewritten in
 * place on a terminal; plain lines otherwise (logs, pipes), at most one a second, and the last status
 * when the run stops, so a log shows progress without a line per event.
 */

/** A status display. */
export interface StatusLine {
  /** The status is now `text`. */
  update(text: string): void;
  /** Print `text` as a line of its own, above the status (kept on a terminal). */
  log(text: string): void;
  /** End the display: the last status stays on screen (terminal) or is printed (otherwise). */
  stop(): void;
}

/** How often a plain status line is printed at most, in milliseconds. */
const PLAIN_INTERVAL_MS = 1000;

/** A status display on `stream`. */
export function statusLine(stream: NodeJS.WriteStream = process.stderr): StatusLine {
  return stream.isTTY ? terminalStatus(stream) : plainStatus(stream);
}

function terminalStatus(stream: NodeJS.WriteStream): StatusLine {
  let current = "";
  const draw = () => {
    stream.cursorTo(0);
    stream.clearLine(1);
    stream.write(current);
  };
  return {
    update(text) {
      if (text === current) return;
      current = text;
      draw();
    },
    log(text) {
      stream.cursorTo(0);
      stream.clearLine(1);
      stream.write(`${text}\n`);
      draw();
    },
    stop() {
      if (current) stream.write("\n");
    },
  };
}

function plainStatus(stream: NodeJS.WriteStream): StatusLine {
  let current = "";
  let printed = "";
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const print = () => {
    timer = undefined;
    if (current === printed) return;
    printed = current;
    last = Date.now();
    stream.write(`${current}\n`);
  };
  return {
    update(text) {
      current = text;
      const wait = last + PLAIN_INTERVAL_MS - Date.now();
      if (wait <= 0) print();
      // A change inside the interval is printed when it ends, so the log never lags the truth for long.
      else timer ??= setTimeout(print, wait).unref();
    },
    log(text) {
      stream.write(`${text}\n`);
    },
    stop() {
      if (timer) clearTimeout(timer);
      print();
    },
  };
}
