/**
 * Progress of long commands (gc, transfer, verify) on stderr, so stdout stays clean for results: a bar
 * on a terminal (cli-progress), a plain line every second or so otherwise (logs, CI, pipes).
 */
import { createRequire } from "node:module";
import type CliProgress from "cli-progress";

/**
 * cli-progress, loaded when a bar is first drawn: it costs about 11 ms to load, and the library's
 * entry point reaches this file (`progressBar` for `f.map`), so loading it at import would slow
 * every program's start, bars or not.
 */
let cliProgress: typeof CliProgress | undefined;
function loadCliProgress(): typeof CliProgress {
  return (cliProgress ??= createRequire(import.meta.url)("cli-progress") as typeof CliProgress);
}

/** A progress display. */
export interface Progress {
  /** Report `done` items of `total` (when known); `what` names the current phase. */
  update(done: number, total?: number, what?: string): void;
  /** Finish the display (prints a final line when not on a terminal). */
  stop(): void;
}

/** How often a plain progress line is printed, in milliseconds. */
const PLAIN_INTERVAL_MS = 1000;

/** A progress display for `label` on `stream`. */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? barProgress(label, stream) : plainProgress(label, stream);
}

function barProgress(label: string, stream: NodeJS.WriteStream): Progress {
  const { SingleBar, Presets } = loadCliProgress();
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {what}`, stream, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total, what = "") {
      if (!started) {
        bar.start(total ?? done, done, { what });
        started = true;
      } else {
        if (total !== undefined && total !== bar.getTotal()) bar.setTotal(total);
        else if (total === undefined && done > bar.getTotal()) bar.setTotal(done);
        bar.update(done, { what });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function plainProgress(label: string, stream: NodeJS.WriteStream): Progress {
  let last = 0;
  let state: { done: number; total?: number; what: string } | undefined;
  const line = () => {
    if (!state) return;
    const count = state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
    stream.write(`${label}${state.what ? ` (${state.what})` : ""}: ${count}\n`);
  };
  return {
    update(done, total, what = "") {
      const phaseChanged = state !== undefined && state.what !== what;
      if (phaseChanged) line(); // close the previous phase with its final count
      state = { done, ...(total === undefined ? {} : { total }), what };
      const now = Date.now();
      if (now - last >= PLAIN_INTERVAL_MS) {
        last = now;
        line();
      }
    },
    stop() {
      line();
    },
  };
}
