/**
 * A small benchmark harness. Every number is the median of several timed batches, so a noisy
 * neighbour on a shared machine shifts single batches, not the result. Results are reported as
 * ratios against baselines measured in the same run, never as absolute pass/fail thresholds.
 */
import { performance } from "node:perf_hooks";

/** One measured operation. */
export interface Measurement {
  /** What was measured, e.g. "fleche memory hit". */
  name: string;
  /** Median nanoseconds per operation. */
  nsPerOp: number;
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Operations per timed batch. */
  batch?: number;
  /** Timed batches; the median is reported. */
  batches?: number;
  /** Untimed warm-up operations. */
  warmup?: number;
}

/** Time `op` (sync or async) and return the median ns per operation over batches. */
export async function measure(
  name: string,
  op: (i: number) => unknown,
  { batch = 10_000, batches = 15, warmup = batch }: MeasureOptions = {},
): Promise<Measurement> {
  let i = 0;
  for (let w = 0; w < warmup; w++) {
    const r = op(i++);
    if (r instanceof Promise) await r;
  }
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    for (let k = 0; k < batch; k++) {
      // Await only real promises, so synchronous operations are timed without a microtask each.
      const r = op(i++);
      if (r instanceof Promise) await r;
    }
    samples.push(((performance.now() - start) * 1e6) / batch);
  }
  return { name, nsPerOp: median(samples) };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Human units for a duration in nanoseconds. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

/** A row of a result table: a label, a value and optional ratio/target columns. */
export type Row = Record<string, string>;

/** Print rows as an aligned plain-text table with a title. */
export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(columns.map((c) => row[c] ?? "")));
}

/** `value / baseline` as "0.42×". */
export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}
