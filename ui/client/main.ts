/**
 * The fleche UI in the browser: a hash router over three pages (overview, calls, one call), drawn with
 * preact + htm, plots by uPlot. Everything is bundled into app.js/app.css at build time; nothing is
 * fetched from anywhere but the server that serves it.
 */
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get } from "./api.js";
import { html } from "./pages/html.js";
import { Overview } from "./pages/overview.js";
import { Calls } from "./pages/calls.js";
import { CallPage } from "./pages/call.js";

function route(): { page: string; arg: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = hash.split("?");
  const [, page = "", arg = ""] = path.split("/");
  return { page, arg, params: new URLSearchParams(query) };
}

function App() {
  const [where, setWhere] = useState(route);
  const [info, setInfo] = useState<{ allowEvict: boolean; config: unknown } | undefined>();
  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener("hashchange", onHash);
    get<{ allowEvict: boolean; config: unknown }>("api/info").then(setInfo, () => undefined);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  const body =
    where.page === "calls"
      ? html`<${Calls} params=${where.params} />`
      : where.page === "call"
        ? html`<${CallPage} callKey=${where.arg} allowEvict=${info?.allowEvict ?? false} />`
        : html`<${Overview} />`;
  return html`
    <header>
      <h1><a href="#/">fleche</a></h1>
      <nav><a href="#/" class=${where.page === "" ? "active" : ""}>Functions</a><a href="#/calls" class=${where.page === "calls" ? "active" : ""}>Calls</a></nav>
      <span class="mode">${info ? (info.allowEvict ? "eviction allowed" : "read-only") : ""}</span>
    </header>
    <main>${body}</main>
  `;
}

const root = document.getElementById("app")!;
root.replaceChildren(); // the static "Loading…" of index.html
render(html`<${App} />`, root);
