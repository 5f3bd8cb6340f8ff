/**
 * The calls table's filters, from URL search parameters to a query filter: `name`, `version` (as
 * `fleche why --version` reads it), `tag` (repeatable `key=value`, the value read like a version),
 * `from`/`to` (ISO dates or Unix seconds, on `runtime.timestop`, inclusive) and `args` (a JSON object of
 * argument values by parameter name, matched by content). Every one is pushed down by the catalog.
 */
import { FlecheError } from "../errors.js";
import { parseVersionText } from "../version-text.js";
import type { QueryFilter } from "../query/template.js";

/** The parameters the calls endpoints accept besides paging. */
export const FILTER_PARAMS = ["name", "version", "tag", "from", "to", "args"] as const;

/** The query filter the parameters describe. @throws FlecheError (`FLECHE_QUERY`) naming a bad parameter. */
export function filterFromParams(params: URLSearchParams): QueryFilter {
  const filter: { -readonly [K in keyof QueryFilter]: QueryFilter[K] } = {};
  const name = params.get("name");
  if (name) filter.name = name;
  const version = params.get("version");
  if (version !== null && version !== "") filter.version = parseVersionText(version);
  const metadata: Record<string, Record<string, unknown>> = {};
  for (const tag of params.getAll("tag")) {
    if (tag === "") continue;
    const eq = tag.indexOf("=");
    if (eq <= 0) throw new FlecheError(`UI filter \`tag\`: expected key=value, got ${JSON.stringify(tag)}`, "FLECHE_QUERY");
    (metadata.tags ??= {})[tag.slice(0, eq)] = parseVersionText(tag.slice(eq + 1));
  }
  const range: Record<string, number> = {};
  const from = params.get("from");
  const to = params.get("to");
  if (from) range.$gte = seconds("from", from);
  if (to) range.$lte = seconds("to", to);
  if (Object.keys(range).length) metadata.runtime = { timestop: range };
  if (Object.keys(metadata).length) filter.metadata = metadata;
  const args = params.get("args");
  if (args) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch (error) {
      throw new FlecheError(`UI filter \`args\`: not JSON (${(error as Error).message})`, "FLECHE_QUERY");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new FlecheError("UI filter `args`: expected a JSON object of argument values by parameter name", "FLECHE_QUERY");
    }
    if (Object.keys(parsed).length) filter.args = parsed as Record<string, unknown>;
  }
  return filter;
}

/** Unix seconds from `1760000000` or an ISO date (`2026-12-05`, `2026-12-05T10:00`). */
function seconds(param: string, text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new FlecheError(`UI filter \`${param}\`: expected an ISO date or Unix seconds, got ${JSON.stringify(text)}`, "FLECHE_QUERY");
  return ms / 1000;
}

/** A whole number parameter within bounds, or its default. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = params.get(name);
  if (text === null || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new FlecheError(`UI parameter \`${name}\`: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, "FLECHE_QUERY");
  return n;
}
