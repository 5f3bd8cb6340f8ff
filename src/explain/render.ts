/** The text of an explanation: the summary, then each nearest stored call with what differs (stored → this call). */
import type { ArgumentDifference, Explanation, IdentityDifference, Neighbour } from "./report.js";

/** The human rendering of a report (everything but its `text`). */
export function renderExplanation(report: Omit<Explanation, "text">): string {
  const lines = [report.summary];
  if (report.skipped) lines.push(`  ${report.skipped.message}`);
  if (report.unreadable) lines.push(`  ${report.unreadable.problem}`);
  if (report.readOnly) lines.push("  This cache is read-only: a call that misses here is computed but not stored.");
  for (const [i, neighbour] of (report.nearest ?? []).entries()) {
    lines.push(...renderNeighbour(neighbour, i === 0 ? "Nearest stored call" : "Next"));
  }
  return lines.join("\n");
}

function renderNeighbour(n: Neighbour, title: string): string[] {
  const stop = n.record.metadata.runtime?.timestop;
  const when = typeof stop === "number" ? `, finished ${new Date(stop * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC` : "";
  const out = [`${title} ${n.record.key.slice(0, 12)}${when}${n.distance ? " (stored → this call):" : ": same arguments"}`];
  for (const d of n.identity) out.push(`    ${identityLine(d)}`);
  for (const d of n.arguments) out.push(`    ${argumentLine(d)}`);
  if (n.distance === 0) out.push(`    module ${String(n.record.module)}, version ${JSON.stringify(n.record.version)}, code ${n.record.codeDigest?.slice(0, 12) ?? "not hashed"}`);
  return out;
}

function identityLine(d: IdentityDifference): string {
  const show = (v: unknown) => (d.component === "codeDigest" && typeof v === "string" ? v.slice(0, 12) : JSON.stringify(v));
  return `${d.component}: ${show(d.stored)} → ${show(d.probe)}`;
}

function argumentLine(d: ArgumentDifference): string {
  switch (d.change) {
    case "added":
      return `${d.name}: not a parameter of the stored call (→ #${d.probeDigest!.slice(0, 8)})`;
    case "removed":
      return `${d.name}: a parameter of the stored call only (#${d.storedDigest!.slice(0, 8)} →)`;
    default:
      return `${d.name}: ${d.detail ?? `#${d.storedDigest!.slice(0, 8)} → #${d.probeDigest!.slice(0, 8)}`}`;
  }
}
