/** `fleche ui`: serve the web UI over a cache until interrupted (Ctrl-C, SIGTERM). */
import { openCache, type CacheSelection } from "../open.js";
import { startUi } from "../../ui/server.js";

/** Options of `fleche ui`. */
export interface UiCommandOptions extends CacheSelection {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  readonly allowEvict?: boolean;
}

/** Serve until a signal; prints the URL to open. */
export async function ui(options: UiCommandOptions): Promise<void> {
  const cache = openCache(options);
  const server = await startUi(cache, {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.token === undefined ? {} : { token: options.token }),
    allowEvict: options.allowEvict === true,
  });
  process.stdout.write(`fleche ui: serving ${options.cache ?? "the default cache"} at ${server.url}${options.allowEvict ? " (eviction allowed)" : " (read-only)"}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  await cache.close();
}
