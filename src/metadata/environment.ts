/**
 * `Environment`: where a call ran. Host name, user, working directory, and the Node.js and fleche
 * versions, so a result can be traced to the machine and software that produced it.
 */
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import type { MetadataProvider } from "./provider.js";

let version: string | undefined;

/** fleche's version from its package.json, or "unknown" when it cannot be read. */
export function flecheVersion(): string {
  if (version === undefined) {
    try {
      // src/metadata/ and dist/metadata/ both sit two levels below the package root.
      const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      version = pkg.name === "fleche" && typeof pkg.version === "string" ? pkg.version : "unknown";
    } catch {
      version = "unknown";
    }
  }
  return version;
}

/** The user name, also where there is no passwd entry (containers): from the environment, else null. */
function currentUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? process.env.USERNAME ?? null;
  }
}

/**
 * Creates the environment provider. Records under `environment`: `hostname`, `username`, `cwd` (at call
 * time), `node_version` (`process.version`) and `fleche_version`.
 */
export function Environment(): MetadataProvider {
  const username = currentUser();
  return {
    name: "environment",
    pre: () => ({
      hostname: hostname(),
      username,
      cwd: process.cwd(),
      node_version: process.version,
      fleche_version: flecheVersion(),
    }),
  };
}
