/**
 * `fleche ui` as a real child process: it prints the URL it serves, binds 127.0.0.1 by default and
 * answers only requests addressed to it, needs a token on any other address, is read-only unless
 * `--allow-evict`, stops cleanly on SIGTERM, and says what to do when its files are not built.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { buildUi } from "../../scripts/build-ui.mjs";
import { REPO, TSX, runTs, tempDir, writeFiles } from "../helpers/project.js";

const MAIN = join(REPO, "src/cli/main.ts");
const POPULATE = join(REPO, "test/fixtures/populate.ts");
const CONFIG = `[default]\ncache = "main"\n\n[main]\nvalues = { type = "file", root = "cache/values" }\ncalls = { type = "sql", url = "sqlite:///cache/calls.db" }\n`;

interface Served {
  readonly child: ChildProcess;
  readonly url: URL;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

describe("fleche ui (child processes)", () => {
  let home: string;
  let proj: string;
  let assets: string;
  before(async () => {
    home = tempDir();
    proj = join(home, "proj");
    writeFiles(proj, { "fleche.toml": CONFIG });
    assert.equal((await runTs(POPULATE, [], { cwd: proj, home })).code, 0);
    assets = await buildUi(join(home, "assets"));
  });

  /** Start `fleche ui ARGS` and wait for the URL it prints. */
  function serve(...args: string[]): Promise<Served> {
    const child = spawn(process.execPath, ["--import", TSX, MAIN, "ui", "--port", "0", ...args], {
      cwd: proj,
      env: { PATH: process.env.PATH ?? "", HOME: home, FLECHE_UI_ASSETS: assets },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    return new Promise((resolve, reject) => {
      let out = "";
      let err = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const match = / at (http:\/\/\S+)/.exec(out);
        if (match) resolve({ child, url: new URL(match[1]!), exited });
      });
      void exited.then((code) => reject(new Error(`fleche ui exited (${code}) before serving: ${err}`)));
    });
  }

  /** A GET with exactly these headers (Host included), through node:http. */
  function get(url: URL, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname === "0.0.0.0" ? "127.0.0.1" : url.hostname, port: url.port, path, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("serves 127.0.0.1 read-only, refuses other Host names, stops on SIGTERM", async () => {
    const s = await serve();
    try {
      assert.equal(s.url.hostname, "127.0.0.1");
      assert.equal(s.url.search, "");
      const info = await get(s.url, "/api/info");
      assert.equal(info.status, 200);
      assert.equal(JSON.parse(info.body).allowEvict, false);
      const page = await get(s.url, "/");
      assert.match(page.body, /<script type="module" src="app.js">/);
      assert.match(String(page.headers["content-security-policy"]), /default-src 'self'/);
      const functions = JSON.parse((await get(s.url, "/api/functions")).body) as { functions: { name: string; calls: number }[] };
      assert.deepEqual(functions.functions.map((f) => [f.name, f.calls]), [["greet", 1], ["square", 5], ["total", 1]]);
      const rebound = await get(s.url, "/api/info", { Host: `attacker.example:${s.url.port}` });
      assert.equal(rebound.status, 421);
      const bad = await get(s.url, "/api/calls?limit=0");
      assert.equal(bad.status, 400);
      assert.match(JSON.parse(bad.body).error, /`limit`/);
    } finally {
      s.child.kill("SIGTERM");
    }
    assert.equal(await s.exited, 0);
  });

  it("any other address needs the token: in the printed URL, then a cookie, or a Bearer header", async () => {
    const s = await serve("--host", "0.0.0.0", "--allow-evict");
    try {
      const token = s.url.searchParams.get("token");
      assert.ok(token && token.length >= 16, String(s.url));
      assert.equal((await get(s.url, "/api/info")).status, 401);
      assert.equal((await get(s.url, "/api/info?token=wrong-token-of-some-length")).status, 401);
      const first = await get(s.url, `/?token=${encodeURIComponent(token)}`);
      assert.equal(first.status, 200);
      const cookie = String((first.headers["set-cookie"] as string[])[0]).split(";")[0]!;
      assert.match(String((first.headers["set-cookie"] as string[])[0]), /HttpOnly; SameSite=Strict/);
      const withCookie = await get(s.url, "/api/info", { Cookie: cookie });
      assert.equal(withCookie.status, 200);
      assert.equal(JSON.parse(withCookie.body).allowEvict, true);
      assert.equal((await get(s.url, "/api/functions", { Authorization: `Bearer ${token}` })).status, 200);
    } finally {
      s.child.kill("SIGTERM");
    }
    assert.equal(await s.exited, 0);
  });

  it("unbuilt files, a short token, a bad port: clear errors, exit 2", async () => {
    const missing = await runTs(MAIN, ["ui", "--port", "0"], { cwd: proj, home, env: { FLECHE_UI_ASSETS: join(home, "nowhere") } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the UI's files are not built \(no index\.html in .*nowhere\); run `npm run build`/);
    const short = await runTs(MAIN, ["ui", "--port", "0", "--token", "abc"], { cwd: proj, home, env: { FLECHE_UI_ASSETS: assets } });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /`token` must be at least 16 characters/);
    const port = await runTs(MAIN, ["ui", "--port", "70000"], { cwd: proj, home, env: { FLECHE_UI_ASSETS: assets } });
    assert.equal(port.code, 2);
    assert.match(port.stderr, /expected a port number/);
  });
});
