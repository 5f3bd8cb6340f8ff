/**
 * The calls table: filters (function, version, tags, time range, argument values) kept in the URL, one
 * server-side page at a time, newest first; the count arrives separately so the page never waits for it.
 * With a function chosen, its runtime per call over time is plotted.
 */
import { useEffect, useState } from "preact/hooks";
import { get, type CallRow, type Count } from "../api.js";
import { cell, duration, time } from "../format.js";
import { runtimePlot, type Point } from "../plots.js";
import { html } from "./html.js";
import { Plot } from "./plot.js";

const PAGE = 50;

/** The filter fields, as in the URL. */
const FIELDS = ["name", "version", "tag", "from", "to", "args"] as const;

/** The calls page for the URL parameters `params`. */
export function Calls({ params }: { params: URLSearchParams }) {
  const offset = Number(params.get("offset") ?? 0) || 0;
  const filters = new URLSearchParams();
  for (const field of FIELDS) for (const value of params.getAll(field)) if (value) filters.append(field, value);
  const query = filters.toString();
  // The page shown, with the query and offset it answers: a page of other filters is never shown.
  const [answer, setAnswer] = useState<{ at: string; rows: readonly CallRow[]; more: boolean } | undefined>();
  const at = `${query}@${offset}`;
  const page = answer?.at === at ? answer : undefined;
  const [counted, setCounted] = useState<{ query: string; count: number } | undefined>();
  const [plotted, setPlotted] = useState<{ query: string; points: readonly Point[] } | undefined>();
  const count = counted?.query === query ? counted.count : undefined;
  const points = plotted?.query === query ? plotted.points : undefined;
  const [error, setError] = useState<string | undefined>();
  const [names, setNames] = useState<readonly string[]>([]);
  useEffect(() => {
    get<{ functions: Count[] }>("api/functions").then((r) => setNames(r.functions.map((f) => f.name)), () => undefined);
  }, []);
  useEffect(() => {
    setError(undefined);
    get<{ rows: CallRow[]; more: boolean }>(`api/calls?${query}&offset=${offset}&limit=${PAGE}`).then(
      (r) => setAnswer({ at, rows: r.rows, more: r.more }),
      (e: Error) => setError(e.message),
    );
  }, [query, offset]);
  useEffect(() => {
    get<{ count: number }>(`api/count?${query}`).then((r) => setCounted({ query, count: r.count }), () => undefined);
    if (filters.get("name")) get<{ points: Point[] }>(`api/runtimes?${query}&limit=5000`).then((r) => setPlotted({ query, points: r.points }), () => undefined);
  }, [query]);

  const go = (next: URLSearchParams, at: number) => {
    if (at) next.set("offset", String(at));
    location.hash = `#/calls?${next.toString()}`;
  };
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const next = new URLSearchParams();
    for (const field of FIELDS) {
      const value = String(form.get(field) ?? "").trim();
      if (!value) continue;
      if (field === "tag") for (const tag of value.split(",")) next.append("tag", tag.trim());
      else next.set(field, value);
    }
    go(next, 0);
  };

  // The form's inputs are uncontrolled (defaultValue) and the form is rebuilt when the filters in the
  // address change: whatever re-renders the page meanwhile (a count arriving) never resets what is typed.
  return html`
    <section>
      <h2>Calls${filters.get("name") ? html` of <code>${filters.get("name")}</code>` : ""}</h2>
      <form class="filters" onSubmit=${onSubmit} data-testid="filters" key=${query}>
        <label>function <input name="name" list="names" defaultValue=${filters.get("name") ?? ""} placeholder="any" /></label>
        <datalist id="names">${names.map((n) => html`<option value=${n} />`)}</datalist>
        <label>version <input name="version" size="6" defaultValue=${filters.get("version") ?? ""} placeholder="any" /></label>
        <label>tags <input name="tag" defaultValue=${filters.getAll("tag").join(", ")} placeholder="key=value, …" /></label>
        <label>from <input name="from" type="datetime-local" step="1" defaultValue=${filters.get("from") ?? ""} /></label>
        <label>to <input name="to" type="datetime-local" step="1" defaultValue=${filters.get("to") ?? ""} /></label>
        <label>arguments <input name="args" size="24" defaultValue=${filters.get("args") ?? ""} placeholder='{"x": 3}' /></label>
        <button type="submit">Filter</button>
        <a class="reset" href="#/calls">reset</a>
      </form>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
      ${points && points.length
        ? html`<h3>Runtime per call over time <span class="muted">(${points.length.toLocaleString()} newest)</span></h3>
            <${Plot} label="runtime per call over time" version=${points} draw=${(t: HTMLElement, w: number) => runtimePlot(t, points, w)} />`
        : ""}
      ${page === undefined && !error ? html`<p class="muted">Loading…</p>` : ""}
      ${page
        ? html`
            <p class="pager" data-testid="pager">
              <button disabled=${offset === 0} onClick=${() => go(new URLSearchParams(filters), Math.max(0, offset - PAGE))}>← newer</button>
              <span data-testid="range">${page.rows.length ? `calls ${(offset + 1).toLocaleString()}–${(offset + page.rows.length).toLocaleString()}` : "no calls"}${count === undefined ? "" : ` of ${count.toLocaleString()}`}</span>
              <button disabled=${!page.more} onClick=${() => go(new URLSearchParams(filters), offset + PAGE)}>older →</button>
            </p>
            <table class="calls" data-testid="calls">
              <thead><tr><th>key</th><th>function</th><th>version</th><th>arguments</th><th>result</th><th>finished</th><th class="num">took</th></tr></thead>
              <tbody>
                ${page.rows.map(
                  (row) => html`<tr>
                    <td><a class="key" href=${`#/call/${row.key}`}>${row.key.slice(0, 10)}</a></td>
                    <td>${row.name}</td>
                    <td>${row.version === null ? "" : JSON.stringify(row.version)}</td>
                    <td class="args">${row.arguments.map((a) => `${a.name}=${cell(a)}`).join(", ")}</td>
                    <td>${row.result ? cell(row.result) : html`<span class="muted">pending</span>`}</td>
                    <td>${time(row.timestop)}</td>
                    <td class="num">${duration(row.walltime)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
        : ""}
    </section>
  `;
}
