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

/**
 * True when debug lines go anywhere: a logger of the application's, or `NODE_DEBUG=fleche`. The hot
 * paths (every hit and miss) test it before they build a message.
 */
export function debugging(): boolean {
  return current !== defaultLogger || debug.enabled;
}

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

/** How often each cause was reported, for {@link warnPerCause}. */
const causes = new Map<string, { readonly message: string; count: number }>();
/** Past this many distinct causes, every warning is logged (the table must not grow without end). */
const MAX_CAUSES = 1000;

/**
 * Warn about `cause` once: a program that calls a function 100 times with the same uncachable argument
 * sees one warning, not 100. Repeats are logged at debug level, and when the process exits, one line
 * says how often each repeated warning occurred.
 */
export function warnPerCause(cause: string, message: string): void {
  const seen = causes.get(cause);
  if (seen) {
    seen.count++;
    logger().debug(`${message} (again: ${seen.count} times so far)`);
    return;
  }
  if (causes.size < MAX_CAUSES) {
    if (causes.size === 0) process.once("exit", reportRepeats);
    causes.set(cause, { message, count: 1 });
  }
  logger().warn(message);
}

/** Forget the causes reported so far (tests that capture logs start from a clean slate). */
export function forgetCauses(): void {
  causes.clear();
}

function reportRepeats(): void {
  for (const { message, count } of causes.values()) {
    if (count > 1) logger().info(`fleche: this warning occurred ${count} times (NODE_DEBUG=fleche shows each): ${message.length > 160 ? `${message.slice(0, 159)}…` : message}`);
  }
}
