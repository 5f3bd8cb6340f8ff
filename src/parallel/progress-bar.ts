/**
 * A ready-made `onProgress` for `f.map`: on a terminal, a bar drawn with the CLI's progress display
 * (cli-progress); elsewhere (logs, CI, pipes) a plain line at most every second and a final one.
 */
import { progress } from "../cli/progress.js";
import type { MapProgress } from "./map-types.js";

/** How often a plain progress line is printed, in milliseconds. */
const PLAIN_INTERVAL_MS = 1000;

/**
 * An `onProgress` callback that draws a map's progress on `stream` (stderr by default): entries settled
 * of the total, then the cached, running and failed counts. The display finishes when every entry has
 * settled. Use one per map.
 * @example
 * await simulate.map(grid, { onProgress: progressBar("sweep") });
 */
export function progressBar(label = "map", stream: NodeJS.WriteStream = process.stderr): (progress: MapProgress) => void {
  const counts = ({ cached, running, failed }: MapProgress) => `cached ${cached} · running ${running} · failed ${failed}`;
  let finished = false;
  if (stream.isTTY) {
    const bar = progress(label, stream);
    return (p) => {
      if (finished) return;
      bar.update(p.done + p.failed, p.total, counts(p));
      if (p.done + p.failed === p.total) {
        finished = true;
        bar.stop();
      }
    };
  }
  let last = 0;
  return (p) => {
    if (finished) return;
    finished = p.done + p.failed === p.total;
    const now = Date.now();
    if (!finished && now - last < PLAIN_INTERVAL_MS) return;
    last = now;
    stream.write(`${label}: ${p.done + p.failed}/${p.total} (${counts(p)})\n`);
  };
}
