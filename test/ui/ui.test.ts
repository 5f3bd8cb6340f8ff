/**
 * `fleche ui` in a real headless Chromium over a real cache (FileStore values, SQLite records): each
 * page loads, filters narrow the server-side pages, plots draw on their canvas, one call shows its
 * values and its nearest neighbour, eviction only when allowed. Screenshots of every page are saved
 * under test-artifacts/ui/ (git-ignored); with FLECHE_UPDATE_DOCS_IMAGES=1 also into docs/images/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { Cache, FileStore, Sql } from "../../src/index.js";
import { startUi, type UiServer } from "../../src/ui/server.js";
import { buildUi } from "../../scripts/build-ui.mjs";
import { REPO, tempDir } from "../helpers/project.js";
import { launchChromium } from "../helpers/chromium.js";
import { populateUiCache, T0 } from "./fixture.js";

const ARTIFACTS = join(REPO, "test-artifacts", "ui");

/** Save a screenshot as a test artefact; those docs/ui.md shows are refreshed with FLECHE_UPDATE_DOCS_IMAGES=1. */
async function screenshot(page: Page, name: string, inDocs = true): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (inDocs && process.env.FLECHE_UPDATE_DOCS_IMAGES === "1") copyFileSync(path, join(REPO, "docs", "images", `ui-${name}.png`));
}

/**
 * Pixels of the first canvas under `selector` that are ink (`all`: anything not near-white) or data
 * (`data`: the series colours, blue #2f6fb0 or orange #d08a2c, never used by axes or grid). The counting
 * runs in the page, given as source text: functions compiled by tsx carry helpers the page lacks.
 */
async function inkOf(page: Page, selector: string, kind: "all" | "data"): Promise<number> {
  return page.evaluate(`(() => {
    const c = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const near = (i, r, g, b) => Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      if (${JSON.stringify(kind)} === "all" ? d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200 : near(i, 0x2f, 0x6f, 0xb0) || near(i, 0xd0, 0x8a, 0x2c)) ink++;
    }
    return ink;
  })()`);
}

/** Wait until the pager's range reads as `expected`. */
async function rangeReads(page: Page, expected: RegExp): Promise<void> {
  await page.locator("[data-testid=range]").filter({ hasText: expected }).waitFor();
}

describe("fleche ui in Chromium", () => {
  let browser: Browser;
  let cache: Cache;
  let server: UiServer;
  let assets: string;
  let page: Page;

  before(async () => {
    const root = tempDir();
    assets = await buildUi(join(root, "assets"));
    cache = new Cache({ values: new FileStore({ root: join(root, "values") }), calls: new Sql({ url: join(root, "calls.db") }) });
    await populateUiCache(cache);
    server = await startUi(cache, { port: 0, assets });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await cache?.close();
  });

  it("overview: functions with their tallies, storage by function plotted", async () => {
    await page.goto(server.url);
    const functions = page.locator("[data-testid=functions]");
    await functions.waitFor();
    const text = await functions.innerText();
    for (const name of ["evaluate", "square", "train"]) assert.match(text, new RegExp(name));
    assert.match(text, /square\s+120/);
    await page.locator("[data-testid=storage]").waitFor();
    await page.locator("section .plot canvas").first().waitFor();
    assert.ok((await inkOf(page, "section .plot", "data")) > 200, "the storage bars are drawn");
    assert.match(await page.locator("[data-testid=stores]").innerText(), /values\s+file/);
    await screenshot(page, "overview");
  });

  it("calls: server-side pages of 50, newest first, and the runtime plot of a function", async () => {
    await page.getByRole("link", { name: "square" }).click();
    const pager = page.locator("[data-testid=pager]");
    await rangeReads(page, /^calls 1–50 of 120$/);
    assert.match(await pager.innerText(), /calls 1–50 of 120/);
    assert.equal(await page.locator("[data-testid=calls] tbody tr").count(), 50);
    assert.match(await page.locator("[data-testid=calls] tbody tr").first().innerText(), /x=120/);
    await page.getByRole("button", { name: "older →" }).click();
    await rangeReads(page, /^calls 51–100 of 120$/);
    assert.match(await page.locator("[data-testid=calls] tbody tr").first().innerText(), /x=70/);
    await page.locator(".plot canvas").waitFor();
    assert.ok((await inkOf(page, ".plot", "data")) > 100, "runtime points are drawn");
    assert.ok((await inkOf(page, ".plot", "all")) > (await inkOf(page, ".plot", "data")), "axes are drawn too");
    await page.goto(`${server.url}#/calls?name=train`);
    await rangeReads(page, /of 30$/);
    await page.locator(".plot canvas").waitFor();
    await screenshot(page, "calls");
  });

  it("filters: tags, version, argument values, time range", async () => {
    const rows = () => page.locator("[data-testid=calls] tbody tr");
    const apply = async (fields: Record<string, string>, expected: RegExp) => {
      await page.goto(`${server.url}#/calls`);
      await rangeReads(page, /^calls 1–50 of 165$/); // the unfiltered page is drawn: the form is fresh
      for (const [name, value] of Object.entries(fields)) await page.locator(`[data-testid=filters] input[name=${name}]`).fill(value);
      await page.getByRole("button", { name: "Filter" }).click();
      await rangeReads(page, expected);
    };
    await apply({ name: "square", tag: "project=alpha" }, /of 60$/);
    assert.equal(await rows().count(), 50);
    await apply({ name: "square", args: '{"x": 7}' }, /calls 1–1 of 1$/);
    assert.match(await rows().first().innerText(), /x=7\s+49/);
    await apply({ name: "train", version: "2", tag: "project=beta" }, /of 10$/);
    await apply({ name: "train", version: "1" }, /no calls of 0/);
    const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 19);
    // square(x) finished at T0 + 9000x: the first ten hours hold x = 1..4.
    await apply({ name: "square", from: day(T0), to: day(T0 + 36_000) }, /of 4$/);
    await page.goto(`${server.url}#/calls?args=${encodeURIComponent("{not json")}`);
    await page.locator(".error").waitFor();
    assert.match(await page.locator(".error").innerText(), /UI filter `args`: not JSON/);
    await screenshot(page, "filter-error", false);
  });

  it("one call: values with type, shape and size, metadata, and what differs from its nearest neighbour", async () => {
    await page.goto(`${server.url}#/calls?name=train`);
    await page.locator("[data-testid=calls] a.key").first().click();
    const call = page.locator("[data-testid=call]");
    await call.waitFor();
    const text = await call.innerText();
    assert.match(text, /Float64Array/);
    assert.match(text, /shape \[4000\]/);
    assert.match(text, /KiB stored/);
    assert.match(text, /inline in the record/);
    assert.match(text, /"project": "(alpha|beta)"/);
    const why = await page.locator("[data-testid=why]").innerText();
    assert.match(why, /the nearest other stored call has \d differences?/);
    assert.match(why, /(lr|epochs|data): /);
    assert.equal(await page.getByRole("button", { name: "Remove this call" }).count(), 0, "read-only by default");
    await screenshot(page, "call");
  });

  it("read-only unless --allow-evict: the endpoint refuses, the allowed UI removes", async () => {
    const [first] = await cache.calls.catalog!.page({ name: "square" }, 0, 1);
    const refused = await page.evaluate(async (key) => (await fetch(`api/call/${key}/evict`, { method: "POST", headers: { "X-Fleche-UI": "1" } })).status, first!.key);
    assert.equal(refused, 403);
    assert.ok(await cache.contains(first!.key));
    const writable = await startUi(cache, { port: 0, assets, allowEvict: true });
    try {
      const tab = await browser.newPage();
      tab.on("dialog", (dialog) => void dialog.accept());
      await tab.goto(`${writable.url}#/call/${first!.key}`);
      await tab.getByRole("button", { name: "Remove this call" }).click();
      await tab.getByRole("status").waitFor();
      assert.equal(await cache.contains(first!.key), false);
      // Without the UI's header (a cross-site form), writes are refused.
      const [second] = await cache.calls.catalog!.page({ name: "square" }, 0, 1);
      const forged = await fetch(`${writable.url}api/call/${second!.key}/evict`, { method: "POST" });
      assert.equal(forged.status, 403);
      assert.ok(await cache.contains(second!.key));
      await tab.close();
    } finally {
      await writable.close();
    }
  });
});
