/** Capture what fleche logs while a test runs. */
import { setLogger, type Logger } from "../../src/index.js";
import { forgetCauses } from "../../src/log.js";

export interface Captured {
  readonly warn: string[];
  readonly info: string[];
  readonly error: string[];
  readonly debug: string[];
  restore(): void;
}

/** Route fleche's logger into arrays until `restore()` is called. */
export function captureLogs(): Captured {
  const captured = { warn: [] as string[], info: [] as string[], error: [] as string[], debug: [] as string[] };
  const logger: Logger = {
    debug: (m) => captured.debug.push(m),
    info: (m) => captured.info.push(m),
    warn: (m) => captured.warn.push(m),
    error: (m) => captured.error.push(m),
  };
  forgetCauses(); // warnings once per cause: each capture sees first occurrences as warnings again
  const previous = setLogger(logger);
  return { ...captured, restore: () => void setLogger(previous) };
}
