/**
 * Debian's Chromium (`apt-get install chromium`, as .ci/run does), driven by playwright-core through
 * its executable path: nothing is downloaded or installed when tests run. `FLECHE_CHROMIUM` points at
 * another binary.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** The Chromium binary the UI tests drive. */
export function chromiumPath(): string {
  const path = process.env.FLECHE_CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  if (!path || !existsSync(path)) throw new Error("Chromium is not installed: apt-get install -y --no-install-recommends chromium (or set FLECHE_CHROMIUM)");
  return path;
}

/** A headless Chromium (no sandbox: CI containers run as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}
