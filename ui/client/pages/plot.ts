/** A component holding one uPlot chart, redrawn when its data changes, sized to its container. */
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import { html } from "./html.js";

/** Props of {@link Plot}. */
export interface PlotProps {
  /** Draws the chart into the element at the given width. */
  readonly draw: (target: HTMLElement, width: number) => uPlot;
  /** Redraw when this changes. */
  readonly version: unknown;
  readonly label: string;
}

/** The chart. */
export function Plot({ draw, version, label }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = ref.current;
    if (!target) return;
    target.replaceChildren();
    const plot = draw(target, Math.max(320, Math.min(target.clientWidth || 900, 1100)));
    return () => plot.destroy();
  }, [version]);
  return html`<div class="plot" ref=${ref} role="img" aria-label=${label}></div>`;
}
