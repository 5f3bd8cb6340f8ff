/** Output helpers of the CLI: tables, short previews of values, times. */
import { inspect } from "node:util";
import Table from "cli-table3";

/** A table that draws plainly (no colours) when stdout is not a terminal. */
export function table(head: string[]): Table.Table {
  const tty = Boolean(process.stdout.isTTY);
  return new Table({ head, style: tty ? { compact: true } : { head: [], border: [], compact: true } });
}

/** A value as it reads on a terminal: short, one line where possible. */
export function preview(value: unknown, width = 60): string {
  const text = inspect(value, { depth: 3, maxArrayLength: 10, maxStringLength: 120, breakLength: Infinity, colors: false });
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A value in full (for `show`). */
export function detail(value: unknown): string {
  return inspect(value, { depth: 6, maxArrayLength: 50, maxStringLength: 2000, breakLength: 100, colors: Boolean(process.stdout.isTTY) });
}

/** A module as a table column: its last path segments when long (`…/models/train.ts`), empty when unknown. */
export function shortModule(module: string | null, width = 28): string {
  if (module === null) return "";
  if (module.length <= width) return module;
  const parts = module.split("/");
  let tail = parts.pop()!;
  while (parts.length && tail.length + parts[parts.length - 1]!.length + 1 <= width - 2) tail = `${parts.pop()}/${tail}`;
  return `…/${tail}`.slice(-width);
}

/** Seconds since the epoch as local "YYYY-MM-DD HH:MM:SS". */
export function localTime(seconds: unknown): string {
  if (typeof seconds !== "number") return "";
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A duration in seconds, readably. */
export function duration(seconds: unknown): string {
  if (typeof seconds !== "number") return "";
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  if (seconds < 120) return `${seconds.toFixed(2)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}
