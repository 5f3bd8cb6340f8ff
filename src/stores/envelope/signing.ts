/**
 * HMAC-SHA256 signing of files. A store may hold several keys: the first signs, every one verifies, so
 * keys can be rotated (put the new key first, keep the old one until its files are gone) and another
 * installation's files can be trusted by listing its key. Keys come from the `secretKey` option or the
 * `FLECHE_SECRET_KEY` environment variable (colon-separated hex). They live in a private field and never
 * appear in messages, logs or `toConfig()`.
 */
import { createHmac, createSecretKey, timingSafeEqual, type Hmac, type KeyObject } from "node:crypto";
import { ConfigError } from "../../errors.js";

/** Secret keys as users give them: bytes, hex (colon-separated for several), or a list of either. @inline */
export type SecretKeyInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** The environment variable that supplies keys when the option is absent. */
export const SECRET_KEY_ENV = "FLECHE_SECRET_KEY";

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Normalise secret keys: raw bytes are one key, a hex string is one key per colon-separated segment, a
 * list may mix both. An empty list (or empty string) means no signing.
 * @throws ConfigError naming `where` (never the key) for anything else.
 */
export function parseSecretKeys(input: unknown, where: string): Buffer[] {
  if (input instanceof Uint8Array) return input.byteLength ? [Buffer.from(input)] : [];
  if (typeof input === "string") return hexKeys(input, where);
  if (Array.isArray(input)) {
    return input.flatMap((element, i) => {
      if (element instanceof Uint8Array) return element.byteLength ? [Buffer.from(element)] : [];
      if (typeof element === "string") return hexKeys(element, `${where}[${i}]`);
      throw new ConfigError(`${where}[${i}]: each secret key must be a hex string or bytes, got ${typeof element}`);
    });
  }
  throw new ConfigError(`${where}: secret keys must be a hex string (colon-separated for several), bytes, or a list of those; got ${typeof input}`);
}

function hexKeys(text: string, where: string): Buffer[] {
  const keys: Buffer[] = [];
  for (const [i, segment] of text.split(":").entries()) {
    if (segment === "") continue;
    if (!HEX.test(segment)) throw new ConfigError(`${where}: key ${i + 1} is not valid hex (an even number of 0-9a-f characters)`);
    keys.push(Buffer.from(segment, "hex"));
  }
  return keys;
}

/** Keys from `FLECHE_SECRET_KEY`, if set. */
export function envSecretKeys(): Buffer[] {
  const value = process.env[SECRET_KEY_ENV];
  return value ? parseSecretKeys(value, SECRET_KEY_ENV) : [];
}

/** Length in hex characters of a signature. */
export const MAC_HEX_LENGTH = 64;

/** Signs with the first key, verifies with any. */
export class Signer {
  readonly #keys: readonly KeyObject[];

  constructor(keys: readonly Buffer[]) {
    this.#keys = keys.map((key) => createSecretKey(key));
  }

  /** True when there is a key: files are signed and unsigned files are refused. */
  get enabled(): boolean {
    return this.#keys.length > 0;
  }

  /** How many keys there are (for descriptions; the keys themselves stay private). */
  get count(): number {
    return this.#keys.length;
  }

  /** The hex HMAC-SHA256 of `domain` followed by `parts` (strings count as their UTF-8 bytes), with the first key. */
  sign(domain: string, parts: readonly (Uint8Array | string)[]): string {
    return mac(this.#keys[0]!, domain, parts).toString("hex");
  }

  /** True when `hex` is the signature of `domain` + `parts` under any of the keys (constant-time compare). */
  verify(domain: string, parts: readonly (Uint8Array | string)[], hex: string): boolean {
    if (hex.length !== MAC_HEX_LENGTH) return false;
    const given = Buffer.from(hex, "hex");
    if (given.length !== MAC_HEX_LENGTH / 2) return false;
    return this.#keys.some((key) => timingSafeEqual(mac(key, domain, parts), given));
  }

  /** Start checking a signature over `domain` and `parts`, to be continued with {@link PendingCheck.update}. */
  begin(domain: string, parts: readonly (Uint8Array | string)[]): PendingCheck {
    const macs: Hmac[] = this.#keys.map((key) => {
      const hmac = createHmac("sha256", key).update(domain);
      for (const part of parts) hmac.update(part);
      return hmac;
    });
    return {
      update: (part) => macs.forEach((hmac) => hmac.update(part)),
      matches: (hex) => {
        const given = hex.length === MAC_HEX_LENGTH ? Buffer.from(hex, "hex") : Buffer.alloc(0);
        const digests = macs.map((hmac) => hmac.digest());
        return given.length === MAC_HEX_LENGTH / 2 && digests.some((d) => timingSafeEqual(d, given));
      },
    };
  }
}

/** A signature check fed in parts, for payloads checked while they are read. */
export interface PendingCheck {
  update(part: Uint8Array): void;
  /** True when the parts fed so far carry signature `hex` under any key. Call once. */
  matches(hex: string): boolean;
}

function mac(key: KeyObject, domain: string, parts: readonly (Uint8Array | string)[]): Buffer {
  const hmac = createHmac("sha256", key).update(domain);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}
