/**
 * `fleche ui`: a local web app over a cache, on `node:http`. Serves the built page (`assets.ts`) and the
 * JSON endpoints (`api.ts`), each request checked by `access.ts`. Read-only unless `allowEvict`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { ConfigError } from "../errors.js";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import { logger } from "../log.js";
import { checkAccess, isLoopback, WRITE_HEADER } from "./access.js";
import { createApi } from "./api.js";
import { assetDirectory, loadAssets } from "./assets.js";
import type { CacheLike } from "../cache-like.js";

/** Options of {@link startUi}. */
export interface UiOptions {
  /** The address to bind. Any other than a loopback address requires a token. @default "127.0.0.1" */
  readonly host?: string;
  /** The port; 0 picks a free one. @default 8770 */
  readonly port?: number;
  /** The token every request must carry; generated when binding a non-loopback address without one. */
  readonly token?: string;
  /** Allow removing calls from the UI. @default false */
  readonly allowEvict?: boolean;
  /** The directory of the built UI. @default the package's dist/web (or FLECHE_UI_ASSETS) */
  readonly assets?: string;
}

/** Every option of {@link UiOptions}. */
export const UI_OPTION_KEYS = keysOf<UiOptions>()(["host", "port", "token", "allowEvict", "assets"]);

/** A running UI. */
export interface UiServer {
  /** The address to open (with `?token=` when a token is needed). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stop serving (the cache stays open). */
  close(): Promise<void>;
}

/** The default port of `fleche ui`. */
export const DEFAULT_PORT = 8770;

/** Serve the UI over `cache`. @throws ConfigError for bad options or a missing build. */
export async function startUi(cache: CacheLike, options: UiOptions = {}): Promise<UiServer> {
  rejectUnknownKeys("fleche ui", options, UI_OPTION_KEYS);
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`fleche ui: \`port\` must be a whole number from 0 to 65535, got ${String(port)}`);
  if (options.token !== undefined && options.token.length < 16) throw new ConfigError("fleche ui: `token` must be at least 16 characters");
  const token = options.token ?? (isLoopback(host) ? undefined : randomBytes(24).toString("base64url"));
  const assets = loadAssets(assetDirectory(options.assets));
  const allowEvict = options.allowEvict ?? false;
  const api = createApi(cache, { allowEvict });
  let bound = port;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://ui.invalid");
    const access = checkAccess(request, url, token === undefined ? { host } : { host, token }, bound);
    const headers: Record<string, string> = {
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Cache-Control": "no-store",
    };
    if (!access.ok) return send(response, access.status, headers, "application/json", JSON.stringify({ error: access.reason }));
    if (access.setCookie) headers["Set-Cookie"] = access.setCookie;
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD" && request.headers[WRITE_HEADER] !== "1") {
      return send(response, 403, headers, "application/json", JSON.stringify({ error: `writes need the ${WRITE_HEADER} header` }));
    }
    if (url.pathname.startsWith("/api/")) {
      const answer = await api.answer(method, url);
      if (answer) return send(response, answer.status, headers, "application/json", JSON.stringify(answer.body));
    }
    const asset = assets.get(url.pathname);
    if (asset && (method === "GET" || method === "HEAD")) {
      headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
      return send(response, 200, headers, asset.type, asset.body); // node sends no body to HEAD
    }
    return send(response, 404, headers, "application/json", JSON.stringify({ error: `not found: ${url.pathname}` }));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger().error(`fleche ui: ${request.method} ${request.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) send(response, 500, {}, "application/json", JSON.stringify({ error: (error as Error).message }));
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new ConfigError(`fleche ui: port ${port} on ${host} is in use; pick another with --port`) : error),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  bound = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/${token ? `?token=${encodeURIComponent(token)}` : ""}`,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, type: string, body: string | Buffer): void {
  response.writeHead(status, { ...headers, "Content-Type": type, "Content-Length": String(Buffer.byteLength(body)) });
  response.end(body);
}
