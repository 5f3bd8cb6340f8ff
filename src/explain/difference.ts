/**
 * Short descriptions of how two values differ, for "why was this a miss?": `0.01 → 0.001`,
 * `Float64Array(1000) differs at [17]: 0.5 → 0.25`, `{…} differs at .lr: 0.01 → 0.001`. Elements are
 * compared by digest (content, as keys are), so what is reported is exactly what changed the key.
 */
import { inspect } from "node:util";
import { digest } from "../digest/index.js";

/** How long a scalar preview may get. */
const WIDTH = 40;

/** A value in a few characters: scalars as themselves, containers by kind and size. */
export function shortPreview(value: unknown): string {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Set) return `Set(${value.size})`;
  if (typeof value === "string" && value.length > WIDTH) return `string(${value.length})`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}}`;
  }
  const text = inspect(value, { depth: 0, breakLength: Infinity, colors: false, maxStringLength: WIDTH });
  return text.length > WIDTH ? `${text.slice(0, WIDTH - 1)}…` : text;
}

/** How `stored` and `probe` differ, stored first. */
export function describeDifference(stored: unknown, probe: unknown): string {
  const where = firstDifference(stored, probe, 3);
  if (where) return `${shortPreview(stored)} differs at ${where.path}: ${shortPreview(where.stored)} → ${shortPreview(where.probe)}`;
  const a = shortPreview(stored);
  const b = shortPreview(probe);
  if (a !== b) return `${a} → ${b}`;
  // Same preview, different content: types that print alike (1 and 1n print differently, -0 and 0 do not).
  return `${a} → ${b} (${kind(stored)} → ${kind(probe)})`;
}

interface Location {
  readonly path: string;
  readonly stored: unknown;
  readonly probe: unknown;
}

/** The first position where two containers of the same kind and size differ, descending `depth` levels. */
function firstDifference(stored: unknown, probe: unknown, depth: number): Location | undefined {
  if (depth <= 0) return undefined;
  if (isIndexed(stored) && isIndexed(probe) && sameKind(stored, probe) && stored.length === probe.length) {
    for (let i = 0; i < stored.length; i++) {
      if (!sameContent(stored[i], probe[i])) return deeper(`[${i}]`, stored[i], probe[i], depth);
    }
    return undefined;
  }
  if (isPlainObject(stored) && isPlainObject(probe)) {
    const keys = new Set([...Object.keys(stored), ...Object.keys(probe)]);
    for (const key of [...keys].sort()) {
      const inStored = Object.hasOwn(stored, key);
      const inProbe = Object.hasOwn(probe, key);
      const path = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      if (!inStored) return { path, stored: Absent, probe: probe[key] };
      if (!inProbe) return { path, stored: stored[key], probe: Absent };
      if (!sameContent(stored[key], probe[key])) return deeper(path, stored[key], probe[key], depth);
    }
    return undefined;
  }
  if (typeof stored === "string" && typeof probe === "string" && (stored.length > WIDTH || probe.length > WIDTH)) {
    let i = 0;
    while (i < stored.length && i < probe.length && stored[i] === probe[i]) i++;
    return { path: `[${i}]`, stored: stored.slice(i, i + 12), probe: probe.slice(i, i + 12) };
  }
  return undefined;
}

function deeper(path: string, stored: unknown, probe: unknown, depth: number): Location {
  const inner = firstDifference(stored, probe, depth - 1);
  return inner ? { path: path + inner.path, stored: inner.stored, probe: inner.probe } : { path, stored, probe };
}

/** Shown for a key one of the two objects lacks. */
const Absent = { [inspect.custom]: () => "(absent)" };

function isIndexed(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function sameKind(a: object, b: object): boolean {
  return Object.getPrototypeOf(a) === Object.getPrototypeOf(b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameContent(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  try {
    return digest(a) === digest(b);
  } catch {
    return false; // an indigestible element: report it as the difference
  }
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
