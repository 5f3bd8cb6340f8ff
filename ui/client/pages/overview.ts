/** The functions overview: a tally per function (fast: the catalog), then storage by function (`fleche stats`). */
import { useEffect, useState } from "preact/hooks";
import { get, type Count, type Storage, type Tally } from "../api.js";
import { bytes, duration, time } from "../format.js";
import { storagePlot } from "../plots.js";
import { html } from "./html.js";
import { Plot } from "./plot.js";

/** The overview page. */
export function Overview() {
  const [functions, setFunctions] = useState<readonly Count[] | undefined>();
  const [tallies, setTallies] = useState<ReadonlyMap<string, Tally> | undefined>();
  const [storage, setStorage] = useState<Storage | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    // Counts first (an index lookup), then runtimes (a read of every call's runtime), then storage, one
    // after the other: on a large cache the later ones take seconds, and the counts must not wait.
    let live = true;
    (async () => {
      const counts = await get<{ functions: Count[] }>("api/functions");
      if (!live) return;
      setFunctions(counts.functions);
      const tallies = await get<{ functions: Tally[] }>("api/tallies");
      if (!live) return;
      setTallies(new Map(tallies.functions.map((t) => [t.name, t])));
      const storage = await get<Storage>("api/storage");
      if (live) setStorage(storage);
    })().catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, []);
  if (error) return html`<p class="error">${error}</p>`;
  if (!functions) return html`<p class="muted">Loading functions…</p>`;
  return html`
    <section>
      <h2>Functions</h2>
      ${functions.length === 0
        ? html`<p class="muted">No stored calls.</p>`
        : html`<table class="functions" data-testid="functions">
            <thead><tr><th>function</th><th class="num">calls</th><th>oldest</th><th>newest</th><th class="num">total runtime</th><th class="num">median runtime</th></tr></thead>
            <tbody>
              ${functions.map(
                (f) => html`<tr>
                  <td><a href=${`#/calls?name=${encodeURIComponent(f.name)}`}>${f.name}</a></td>
                  <td class="num">${f.calls.toLocaleString()}</td>
                  <td>${time(f.oldest)}</td>
                  <td>${time(f.newest)}</td>
                  <td class="num">${runtime(tallies, f.name, (t) => (t.timed ? duration(t.totalRuntime) : ""))}</td>
                  <td class="num">${runtime(tallies, f.name, (t) => duration(t.medianRuntime))}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>
    <section>
      <h2>Storage by function</h2>
      ${storage ? html`<${StorageView} storage=${storage} />` : html`<p class="muted">Measuring stored values…</p>`}
    </section>
  `;
}

function runtime(tallies: ReadonlyMap<string, Tally> | undefined, name: string, show: (t: Tally) => string) {
  if (!tallies) return html`<span class="muted">…</span>`;
  const tally = tallies.get(name);
  return tally ? show(tally) : "";
}

function StorageView({ storage }: { storage: Storage }) {
  const rows = storage.functions.map((f) => ({ name: f.name, own: f.ownBytes ?? 0, shared: f.sharedBytes ?? 0 }));
  return html`
    ${rows.some((r) => r.own + r.shared > 0)
      ? html`<${Plot} label="value bytes by function" version=${storage} draw=${(t: HTMLElement, w: number) => storagePlot(t, rows, w)} />`
      : html`<p class="muted">No stored values (small values travel inside the call records).</p>`}
    <table data-testid="storage">
      <thead><tr><th>function</th><th class="num">values</th><th class="num">own bytes</th><th class="num">shared bytes</th></tr></thead>
      <tbody>
        ${storage.functions.map(
          (f) => html`<tr><td>${f.name}</td><td class="num">${f.values}</td><td class="num">${bytes(f.ownBytes)}</td><td class="num">${bytes(f.sharedBytes)}</td></tr>`,
        )}
      </tbody>
    </table>
    <h3>Stores</h3>
    <table data-testid="stores">
      <thead><tr><th>role</th><th>type</th><th class="num">entries</th><th class="num">bytes</th></tr></thead>
      <tbody>${storage.stores.map((s) => html`<tr><td>${s.role}</td><td>${s.type}</td><td class="num">${s.entries.toLocaleString()}</td><td class="num">${bytes(s.bytes)}</td></tr>`)}</tbody>
    </table>
  `;
}
