/**
 * Who may use the UI. Bound to a loopback address (the default, 127.0.0.1), only this machine reaches
 * it, and requests must name that address in `Host` (a web page elsewhere cannot reach it through a
 * DNS name pointing at 127.0.0.1). Bound to any other address, every request must carry the token:
 * `?token=` once (it is then kept in a same-site, HTTP-only cookie), or `Authorization: Bearer TOKEN`.
 * Writes (eviction) also need the `X-Fleche-UI` header, which a cross-site form cannot send.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The cookie holding the token. */
export const TOKEN_COOKIE = "fleche_ui_token";

/** The header writes must carry. */
export const WRITE_HEADER = "x-fleche-ui";

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What a request may do. */
export type Access = { readonly ok: true; readonly setCookie?: string } | { readonly ok: false; readonly status: number; readonly reason: string };

/** The access rules of one server. */
export interface AccessRules {
  /** The address the server is bound to. */
  readonly host: string;
  /** Required on every request when set. */
  readonly token?: string;
}

/** Decide whether `request` (for `url`) may be served under `rules`, on the server's `port`. */
export function checkAccess(request: IncomingMessage, url: URL, rules: AccessRules, port: number): Access {
  if (isLoopback(rules.host)) {
    const host = (request.headers.host ?? "").toLowerCase();
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${rules.host}:${port}`];
    if (!allowed.includes(host)) return { ok: false, status: 421, reason: `requests must be addressed to ${rules.host}:${port}` };
  }
  if (rules.token === undefined) return { ok: true };
  const given = url.searchParams.get("token");
  if (given !== null && same(given, rules.token)) {
    return { ok: true, setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(rules.token)}; HttpOnly; SameSite=Strict; Path=/` };
  }
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
  if (bearer !== undefined && same(bearer, rules.token)) return { ok: true };
  const cookie = cookies(request.headers.cookie ?? "")[TOKEN_COOKIE];
  if (cookie !== undefined && same(cookie, rules.token)) return { ok: true };
  return { ok: false, status: 401, reason: "this UI needs its token: open the URL `fleche ui` printed (with ?token=...)" };
}

/** Constant-time comparison, so the token cannot be guessed a character at a time. */
function same(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookies(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      try {
        out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // a malformed cookie is no token
      }
    }
  }
  return out;
}
