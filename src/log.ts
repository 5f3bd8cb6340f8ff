/**
 * Where fleche's diagnostics go. A library must not impose a logging framework, so the default writes
 * warnings through `process.emitWarning` (type `FlecheWarning`, silenced by `--no-warnings`, observable
 * with `process.on("warning")`), notices as one plain line on stderr, and debug lines through
 * `NODE_DEBUG=fleche`. Applications plug in their own logger with {@link setLogger}.
 */
import { debuglog } from "node:util";

/** The shape fleche logs through; pino, winston and console all fit it. */
export interface Logger {
  /** Detail for debugging (the default prints it only with `NODE_DEBUG=fleche`). */
  debug(message: string): void;
  /** A notice worth one line (the default writes it to stderr). */
  info(message: string): void;
  /**
   * Something went wrong and fleche carried on, e.g. an unreadable record treated as a miss or an
   * unreachable server (the default emits a `FlecheWarning`).
   */
  warn(message: string): void;
  /**
   * A problem to look into, e.g. a stored call that cannot be loaded (a corrupt cache) (the default emits a
   * `FlecheWarning` with code `FLECHE_ERROR`).
   */
  error(message: string): void;
}

const debug = debuglog("fleche");

/** The default logger described in this module's comment. */
export const defaultLogger: Logger = {
  debug: (message) => debug(message),
  info: (message) => {
    process.stderr.write(`${message}\n`);
  },
  warn: (message) => process.emitWarning(message, { type: "FlecheWarning" }),
  error: (message) => process.emitWarning(message, { type: "FlecheWarning", code: "FLECHE_ERROR" }),
};

let current: Logger = defaultLogger;

/** The logger in use. */
export function logger(): Logger {
  return current;
}

/**
 * Replace the logger; returns the previous one so tests and applications can restore it.
 * @example setLogger({ debug() {}, info: console.log, warn: console.warn, error: console.error })
 */
export function setLogger(next: Logger): Logger {
  const previous = current;
  current = next;
  return previous;
}
