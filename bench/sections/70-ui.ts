/**
 * Issue 14's numbers on 1,000,000 call records in SQLite (bench/ui-cache.ts, built once under the
 * system temp directory): the first page of `fleche ui` (its requests, and in Chromium when it is
 * installed: from navigation to the table on screen), `fleche stats` (in process and as the command),
 * and `f.explain` on a function with 100,000 stored calls. Baselines from the same run: a count of
 * every record (an index walk) and reading the 100,000 records of that function.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { fleche, withCache } from "../../src/index.js";
import { catalogOf } from "../../src/catalog/of.js";
import { cacheStats } from "../../src/stats/stats.js";
import { startUi } from "../../src/ui/server.js";
import { buildUi } from "../../scripts/build-ui.mjs";
import { formatNs, median, printTable, ratio } from "../harness.js";
import { ensureUiCache, openUiCache, UI_IDENTITY, UI_RECORDS } from "../ui-cache.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Median wall time (ns) of `runs` runs after one warm-up run. */
async function timed(op: () => Promise<unknown>, runs = 7): Promise<number> {
  await op();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    await op();
    samples.push((performance.now() - start) * 1e6);
  }
  return median(samples);
}

export default async function ui(): Promise<void> {
  const dir = await ensureUiCache();
  const cache = openUiCache(dir);
  const catalog = catalogOf(cache);
  const rows: { operation: string; time: string; "vs baseline": string; target: string }[] = [];
  const row = (operation: string, ns: number, baseline: number | undefined, target = "") =>
    rows.push({ operation, time: formatNs(ns), "vs baseline": baseline === undefined ? "" : ratio(ns, baseline), target });

  const countAll = await timed(async () => catalog.count({}));
  row(`baseline: count all ${UI_RECORDS.toLocaleString()} records`, countAll, undefined);

  // The UI's first page: the files, the mode, and the per-function counts; the calls page: one page
  // of 50 newest calls and their count.
  const assets = mkdtempSync(join(tmpdir(), "fleche-bench-web-"));
  const server = await startUi(cache, { port: 0, assets: await buildUi(assets) });
  const fetchAll = (paths: string[]) => Promise.all(paths.map(async (p) => (await fetch(new URL(p, server.url))).arrayBuffer()));
  const landing = ["/", "/app.js", "/app.css", "/api/info", "/api/functions"];
  row("ui first page: its 5 requests (files, counts per function)", await timed(() => fetchAll(landing)), countAll, "≤ 1 s");
  row("ui calls page: 50 newest calls + their count", await timed(() => fetchAll(["/api/calls?limit=50", "/api/count"])), countAll, "≤ 1 s");
  row("ui calls page of f3: 50 newest + count + 5000 runtime points", await timed(() => fetchAll(["/api/calls?name=f3&limit=50", "/api/count?name=f3", "/api/runtimes?name=f3&limit=5000"])), countAll);
  row("ui calls page 10,000 (offset 500,000)", await timed(() => fetchAll(["/api/calls?offset=500000&limit=50"]), 3), countAll);
  const oneCall = (await catalog.page({ name: "f3" }, 0, 1))[0]!.key;
  row("ui one call in full (values, nearest neighbour)", await timed(() => fetchAll([`/api/call/${oneCall}`])), countAll);
  await server.close();
  rmSync(assets, { recursive: true, force: true });
  const browser = await inChromium(dir);
  if (browser) {
    row("ui first page in Chromium, first navigation (cold server)", browser.cold, countAll, "≤ 1 s");
    row("ui first page in Chromium: navigation → functions table", browser.overview, countAll, "≤ 1 s");
    row("ui calls page in Chromium: navigation → 50 rows", browser.calls, countAll, "≤ 1 s");
  } else rows.push({ operation: "ui in Chromium", time: "n/a (no chromium)", "vs baseline": "", target: "" });

  // fleche stats: in process, by part, and as the command.
  row("stats: counts per function (index)", await timed(async () => catalog.counts(), 3), countAll);
  row("stats: runtimes per function (wall times from the index)", await timed(async () => catalog.tallies(), 1), countAll);
  row("stats: whole report, in process", await timed(() => cacheStats(cache), 1), countAll, "≤ 3 s");
  row("fleche stats --json (a process: start-up included)", await timed(async () => statsCommand(dir), 1), countAll, "≤ 3 s");

  // f.explain on f0 (100,000 stored calls), each probe a new call.
  const f0 = fleche(function f0(x: number, y: number) {
    return x * 2;
  }, { ...UI_IDENTITY, name: "f0" });
  const scan = await timed(() => withCache(cache, () => f0.query().count()), 1);
  row("baseline: read the 100,000 records of f0", scan, undefined);
  let n = 0;
  row("f0.explain(new x, stored y): 1 difference", await timed(() => withCache(cache, () => f0.explain(5_000_000 + n++, 10 * (n % 100))), 15), scan, "≤ 200 ms");
  row("f0.explain(new x, new y): 2 differences", await timed(() => withCache(cache, () => f0.explain(6_000_000 + n++, 7_000_000 + n)), 15), scan, "≤ 200 ms");
  row("f0.explain(stored call): a hit", await timed(() => withCache(cache, () => f0.explain(10, 10)), 15), scan);
  await cache.close();
  printTable(`fleche ui, stats and explain on ${UI_RECORDS.toLocaleString()} call records in SQLite (median of runs)`, rows);
}

/** `fleche stats --json` as a child process over the big cache. */
function statsCommand(dir: string): void {
  const config = join(dir, "fleche.toml");
  execFileSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "--config", config, "stats", "--json"], {
    cwd: REPO,
    env: { ...process.env, FLECHE_CACHE: "" },
    input: "",
    stdio: ["pipe", "ignore", "inherit"],
    maxBuffer: 1 << 26,
  });
}

/**
 * Navigation → content on screen, in Chromium, against `fleche ui` running as its own process (as
 * users run it; undefined when Chromium is not installed).
 */
async function inChromium(dir: string): Promise<{ cold: number; overview: number; calls: number } | undefined> {
  if (!existsSync("/usr/bin/chromium")) return undefined;
  const { chromium } = await import("playwright-core");
  const assets = mkdtempSync(join(tmpdir(), "fleche-bench-web-"));
  const served = spawn(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "--config", join(dir, "fleche.toml"), "ui", "--port", "0"], {
    cwd: REPO,
    env: { ...process.env, FLECHE_UI_ASSETS: await buildUi(assets) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  try {
    const url = await new Promise<string>((resolve) => {
      let out = "";
      served.stdout!.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const match = / at (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
    });
    const page = await browser.newPage();
    // One navigation: once the counts are on screen the page asks for runtimes and storage, which
    // read every record (seconds); wait for them before going on.
    const start = performance.now();
    await page.goto(url);
    await page.locator("[data-testid=functions] tbody tr").first().waitFor();
    const cold = (performance.now() - start) * 1e6;
    await page.locator("[data-testid=storage]").waitFor({ timeout: 600_000 });
    const overview = await timed(async () => {
      await page.goto("about:blank");
      await page.goto(url);
      await page.locator("[data-testid=functions] tbody tr").first().waitFor();
    }, 5);
    const calls = await timed(async () => {
      await page.goto("about:blank");
      await page.goto(`${url}#/calls`);
      await page.locator("[data-testid=calls] tbody tr").nth(49).waitFor();
    }, 5);
    return { cold, overview, calls };
  } finally {
    await browser.close();
    served.kill("SIGTERM");
    await new Promise((resolve) => (served.exitCode !== null ? resolve(undefined) : served.once("exit", resolve)));
    rmSync(assets, { recursive: true, force: true });
  }
}
