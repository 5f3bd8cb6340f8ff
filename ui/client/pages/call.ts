/** One call in full: identity, arguments and result described, metadata, and why it is not its neighbour. */
import { useEffect, useState } from "preact/hooks";
import { get, post, type CallInFull, type ValueView } from "../api.js";
import { bytes, duration, time } from "../format.js";
import { html } from "./html.js";

/** The page of the call under `key`. */
export function CallPage({ callKey, allowEvict }: { callKey: string; allowEvict: boolean }) {
  const [call, setCall] = useState<CallInFull | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [evicted, setEvicted] = useState(false);
  useEffect(() => {
    setCall(undefined);
    get<CallInFull>(`api/call/${callKey}`).then(setCall, (e: Error) => setError(e.message));
  }, [callKey]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!call) return html`<p class="muted">Loading call…</p>`;
  const { record, row } = call;
  const evict = () => {
    if (!confirm(`Remove the record of call ${record.key.slice(0, 12)}? Its values stay until garbage collection.`)) return;
    post(`api/call/${record.key}/evict`).then(() => setEvicted(true), (e: Error) => setError(e.message));
  };
  return html`
    <section data-testid="call">
      <h2><code>${record.name}</code> <span class="muted">call ${record.key.slice(0, 12)}</span></h2>
      ${evicted ? html`<p class="notice" role="status">Removed.</p>` : ""}
      <table class="identity">
        <tbody>
          <tr><th>key</th><td><code>${record.key}</code></td></tr>
          <tr><th>module</th><td>${record.module ?? "–"}</td></tr>
          <tr><th>version</th><td>${record.version === null ? "–" : JSON.stringify(record.version)}</td></tr>
          <tr><th>code</th><td>${record.codeDigest ?? "not hashed"}</td></tr>
          <tr><th>finished</th><td>${time(row.timestop)}</td></tr>
          <tr><th>took</th><td>${duration(row.walltime)}</td></tr>
        </tbody>
      </table>
      <h3>Arguments</h3>
      ${call.arguments.length ? call.arguments.map((a) => html`<${Value} label=${a.name} view=${a} />`) : html`<p class="muted">none</p>`}
      <h3>Result</h3>
      ${call.result ? html`<${Value} label="result" view=${call.result} />` : html`<p class="muted">pending</p>`}
      <h3>Why is this not its nearest neighbour?</h3>
      <pre class="why" data-testid="why">${call.why.text}</pre>
      ${call.why.nearest?.length ? html`<p>Nearest: <a href=${`#/call/${call.why.nearest[0]!.record.key}`}>${call.why.nearest[0]!.record.key.slice(0, 12)}</a></p>` : ""}
      <h3>Metadata</h3>
      <pre class="metadata">${JSON.stringify(record.metadata, null, 2)}</pre>
      ${allowEvict && !evicted ? html`<p><button class="danger" onClick=${evict}>Remove this call</button></p>` : ""}
    </section>
  `;
}

function Value({ label, view }: { label: string; view: ValueView }) {
  const facts = [
    view.type,
    view.shape ? `shape [${view.shape.join(", ")}]` : undefined,
    view.inline ? "inline in the record" : view.bytes === undefined ? undefined : `${bytes(view.bytes)} stored`,
  ].filter(Boolean);
  return html`<div class="value">
    <div class="value-head"><strong>${label}</strong> <span class="muted">${facts.join(" · ")}</span> <code class="digest">#${view.digest.slice(0, 12)}</code></div>
    ${view.problem ? html`<p class="error">${view.problem}</p>` : html`<pre>${view.preview}</pre>`}
  </div>`;
}
