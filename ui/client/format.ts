/** Numbers, sizes and times as the pages print them. */

/** Binary units; `?` when unknown. */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "?";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds readably. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "";
  if (seconds === 0) return "0";
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  if (seconds < 120) return `${seconds.toFixed(2)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

/** Unix seconds as local `YYYY-MM-DD HH:MM:SS`. */
export function time(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "";
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A small value or a digest, short. */
export function cell(value: { digest: string; value?: unknown }): string {
  if (!("value" in value) || value.value === undefined) return `#${value.digest.slice(0, 8)}`;
  const text = typeof value.value === "string" ? JSON.stringify(value.value) : String(value.value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
