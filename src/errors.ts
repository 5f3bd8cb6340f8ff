/**
 * The errors fleche throws. Every one extends {@link FlecheError} and carries a stable `code`, so callers
 * can branch on `err.code` without string matching. Messages name the store, option or file involved.
 * `docs/errors.md` documents every code.
 */

/**
 * Every code a {@link FlecheError} can carry. The list is closed on purpose: a throw site cannot invent a
 * code (the constructor takes {@link ErrorCode}), and `test/errors.test.ts` checks that `docs/errors.md`
 * documents exactly these, so adding one is a deliberate act that comes with its documentation.
 */
export const ERROR_CODES = [
  // Carried by the classes below, one code per class.
  "FLECHE_MISS",
  "FLECHE_REJECTED",
  "FLECHE_INDIGESTIBLE",
  "FLECHE_SAVE",
  "FLECHE_AMBIGUOUS",
  "FLECHE_SIGNATURE",
  "FLECHE_CONFIG",
  "FLECHE_UNAVAILABLE",
  // Carried by a plain FlecheError (or an internal subclass): the code alone tells them apart.
  "FLECHE_REQUIRED",
  "FLECHE_IO",
  "FLECHE_FORMAT",
  "FLECHE_READ_ONLY",
  "FLECHE_BUSY",
  "FLECHE_SQLITE_LOST",
  "FLECHE_CLOSED",
  "FLECHE_MISSING_DEPENDENCY",
  "FLECHE_QUERY",
  "FLECHE_EMPTY",
  "FLECHE_NOT_UNIQUE",
  "FLECHE_UNDATED",
  "FLECHE_STATE",
  "FLECHE_GC_UNREADABLE",
  "FLECHE_REMOTE",
] as const;

/** A stable, machine-readable error code; `docs/errors.md` says what each means and what to do. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base class of every error fleche throws on purpose. */
export class FlecheError extends Error {
  /** A stable, machine-readable identifier such as `"FLECHE_MISS"` (see `docs/errors.md`). */
  readonly code: ErrorCode;

  /**
   * An error with `message` and the documented `code`; `options.cause` is the underlying error, as for
   * `Error`.
   * @param code - required, so that every error says which documented case it is; there is no
   *   catch-all code to fall back on.
   */
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Nothing is stored under the requested key (or prefix). The normal "miss" signal. */
export class CacheMiss extends FlecheError {
  /** The key or prefix that was looked up. */
  readonly key: string;

  /** A miss (code `FLECHE_MISS`) for `key`; the message defaults to "No entry stored under <key>". */
  constructor(key: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `No entry stored under ${key}`, "FLECHE_MISS", options);
    this.key = key;
  }
}

/** A cache refused a write or eviction (read-only views, pools, values a store cannot hold). */
export class Rejected extends FlecheError {
  /** A refusal with code `FLECHE_REJECTED`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "FLECHE_REJECTED", options);
  }
}

/** A value has no digest rule: symbols, promises, weak collections, class instances without a digest. */
export class Indigestible extends FlecheError {
  /** Where in the argument the offending value sits, e.g. `args.x[3].foo`. */
  readonly path: string;
  /** The offending value itself. */
  readonly value: unknown;

  /** Code `FLECHE_INDIGESTIBLE`; the message is "Cannot digest <path>: <reason>". */
  constructor(value: unknown, path: string, reason: string) {
    super(`Cannot digest ${path}: ${reason}`, "FLECHE_INDIGESTIBLE");
    this.path = path;
    this.value = value;
  }
}

/** A store cannot hold a value (unsupported type for its serializer, read-only medium, ...). */
export class SaveError extends FlecheError {
  /** A failed save with code `FLECHE_SAVE`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "FLECHE_SAVE", options);
  }
}

/** A digest prefix matches several stored keys, or a key cannot be shortened unambiguously. */
export class AmbiguousDigestError extends FlecheError {
  /** The keys the prefix matched (at most a few). */
  readonly candidates: readonly string[];

  /** Code `FLECHE_AMBIGUOUS`, with the matching keys in `candidates`. */
  constructor(message: string, candidates: readonly string[]) {
    super(message, "FLECHE_AMBIGUOUS");
    this.candidates = candidates;
  }
}

/** A signed entry failed its HMAC check: tampered, truncated, or written with another key. */
export class SignatureError extends FlecheError {
  /** A failed signature check with code `FLECHE_SIGNATURE`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "FLECHE_SIGNATURE", options);
  }
}

/** Invalid configuration: a bad option, an unknown store type or cache name, a malformed config file. */
export class ConfigError extends FlecheError {
  /** A configuration problem with code `FLECHE_CONFIG`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "FLECHE_CONFIG", options);
  }
}

/**
 * A store's server cannot be reached (database down, network gone). The call runs uncached. `reported`
 * is true when the store has already warned about this outage, so callers need not warn again.
 */
export class StoreUnavailable extends FlecheError {
  /** Whether the store has already warned about this outage (callers need not warn again). */
  readonly reported: boolean;

  /** An outage with code `FLECHE_UNAVAILABLE`; pass `reported: true` when a warning was already logged. */
  constructor(message: string, options?: { cause?: unknown; reported?: boolean }) {
    super(message, "FLECHE_UNAVAILABLE", options);
    this.reported = options?.reported ?? false;
  }
}
