/**
 * A ready-made `onProgress` for `f.map`: the counts drawn on stderr with the CLI's progress display (a
 * bar on a terminal, a plain line every second or so otherwise, so logs stay readable).
 */
import { progress } from "../cli/progress.js";
import type { MapProgress } from "./map-types.js";

/**
 * An `onProgress` callback that draws a map's progress on stderr: settled entries of the total, then the
 * cached, running and failed counts. The display finishes when every entry has settled. Use one per map.
 * @example
 * await simulate.map(grid, { onProgress: progressBar("sweep") });
 */
export function progressBar(label = "map"): (progress: MapProgress) => void {
  const display = progress(label);
  let finished = false;
  return ({ total, done, cached, running, failed }) => {
    if (finished) return;
    display.update(done + failed, total, `cached ${cached} · running ${running} · failed ${failed}`);
    if (done + failed === total) {
      finished = true;
      display.stop();
    }
  };
}
