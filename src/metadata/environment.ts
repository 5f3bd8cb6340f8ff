/**
 * `Environment`: where a call ran. Host name, user, working directory, and the Node.js and fleche
 * versions, so a result can be traced to the machine and software that produced it.
 */
import { hostname, userInfo } from "node:os";
import { flechePackage } from "../package-root.js";
import { describedAs } from "./description.js";
import type { MetadataProvider } from "./provider.js";

/** fleche's version from its package.json, or "unknown" when it cannot be read. */
export function flecheVersion(): string {
  return flechePackage()?.version ?? "unknown";
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
  return describedAs({
    name: "environment",
    pre: () => ({
      hostname: hostname(),
      username,
      cwd: process.cwd(),
      node_version: process.version,
      fleche_version: flecheVersion(),
    }),
  }, { type: "Environment" });
}
