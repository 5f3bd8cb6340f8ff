/**
 * The two plots, drawn by uPlot on a canvas: runtime per call over time (points, time axis), and storage
 * by function (bars of own and shared value bytes).
 */
import uPlot from "uplot";
import { bytes, duration } from "./format.js";

/** A runtime point from `/api/runtimes`. */
export interface Point {
  readonly timestop: number;
  readonly walltime: number;
}

/** Draw runtime (seconds) against finish time into `target`; returns the plot (destroy it when done). */
export function runtimePlot(target: HTMLElement, points: readonly Point[], width: number): uPlot {
  const xs = points.map((p) => p.timestop);
  const ys = points.map((p) => p.walltime);
  return new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { values: (_u, splits) => splits.map((s) => duration(s)), size: 70 }],
      series: [{}, { label: "runtime", stroke: "#2f6fb0", fill: "#2f6fb0", width: 0, paths: () => null, points: { show: true, size: 5, stroke: "#2f6fb0", fill: "#2f6fb0" } }],
      legend: { show: false },
    },
    [xs, ys],
    target,
  );
}

/** Draw own and shared value bytes per function as bars; returns the plot. */
export function storagePlot(target: HTMLElement, rows: readonly { name: string; own: number; shared: number }[], width: number): uPlot {
  const xs = rows.map((_, i) => i);
  const bars = uPlot.paths.bars!({ size: [0.35, 60], align: 1 });
  const barsRight = uPlot.paths.bars!({ size: [0.35, 60], align: -1 });
  return new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: false, range: [-0.5, Math.max(rows.length - 0.5, 0.5)] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? (rows[s]?.name ?? "") : "")), splits: () => xs },
        { values: (_u, splits) => splits.map((s) => bytes(s)), size: 80 },
      ],
      series: [
        { label: "function" },
        { label: "own", stroke: "#2f6fb0", fill: "#2f6fb0cc", paths: bars, points: { show: false } },
        { label: "shared", stroke: "#d08a2c", fill: "#d08a2ccc", paths: barsRight, points: { show: false } },
      ],
      legend: { show: true, live: false },
    },
    [xs, rows.map((r) => r.own), rows.map((r) => r.shared)],
    target,
  );
}
