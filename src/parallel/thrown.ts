/**
 * Errors across a structured clone: cloning keeps an error's message and stack but turns its class into
 * `Error` and drops its other properties, so a `FlecheError` would lose the `code` callers branch on.
 * The receiving side describes what was thrown, and the submitting side rebuilds it: a `FlecheError`
 * with its code, or an `Error` with the original `name`, `stack` and string `code`.
 */
import { ERROR_CODES, FlecheError, type ErrorCode } from "../errors.js";

/** What a task threw, as plain data. */
export interface ThrownDescription {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: string | undefined;
  /** Whatever was thrown when it was not an error (cloned as it is). */
  readonly value?: unknown;
}

/** Describe `thrown` for the trip back. */
export function describeThrown(thrown: unknown): ThrownDescription {
  if (!(thrown instanceof Error)) return { name: "", message: "", stack: undefined, code: undefined, value: thrown };
  const code = (thrown as { code?: unknown }).code;
  return { name: thrown.name, message: thrown.message, stack: thrown.stack, code: typeof code === "string" ? code : undefined };
}

/** The error a description stands for, on this side. */
export function rebuildThrown(description: ThrownDescription): unknown {
  if ("value" in description) return description.value;
  const { name, message, stack, code } = description;
  const error =
    code !== undefined && (ERROR_CODES as readonly string[]).includes(code) ? new FlecheError(message, code as ErrorCode) : Object.assign(new Error(message), code === undefined ? {} : { code });
  Object.defineProperty(error, "name", { value: name, configurable: true, writable: true });
  if (stack !== undefined) error.stack = stack;
  return error;
}
