/**
 * Calls as table rows, for a person to look at (`console.table(await query.table())`) or for export.
 * Keys are shortened to their shortest unambiguous prefix; values are previewed, not dumped.
 */
import { inspect } from "node:util";
import { keysOf, rejectUnknownKeys } from "../known-keys.js";
import type { JsonValue } from "../call-record.js";
import type { LazyCall } from "../lazy-call.js";

/** Options of `query.table()`. @inline */
export interface TableOptions {
  /** Argument columns: `true` for every argument, or the names wanted. Default: one `arguments` preview column. */
  readonly args?: true | readonly string[];
  /** Include a result preview column. @default true */
  readonly result?: boolean;
  /** Flatten every metadata namespace into columns (`runtime.walltime`, `tags.project`, …). Default: runtime only. */
  readonly metadata?: boolean;
  /** Shorten keys to their shortest unambiguous prefix. @default true */
  readonly shrinkKeys?: boolean;
  /** Longest preview, in characters. @default 40 */
  readonly width?: number;
}

/** Every option of {@link TableOptions}; `table()` rejects any other key. */
export const TABLE_OPTION_KEYS = keysOf<TableOptions>()(["args", "result", "metadata", "shrinkKeys", "width"]);

/** One row of a call table. @inline */
export type TableRow = Record<string, string | number | boolean | null>;

/** Build the rows for `calls`. */
export async function tableRows(calls: readonly LazyCall[], options: TableOptions = {}): Promise<TableRow[]> {
  rejectUnknownKeys("table()", options, TABLE_OPTION_KEYS);
  const width = options.width ?? 40;
  const keys = await shortKeys(calls, options.shrinkKeys ?? true);
  const rows: TableRow[] = [];
  for (const [i, call] of calls.entries()) {
    const row: TableRow = { key: keys[i]!, function: call.name };
    if (options.args === undefined) {
      const parts = [];
      for (const name of Object.keys(call.argumentDigests)) parts.push(`${name}=${preview(await call.argument(name), width)}`);
      row.arguments = clip(parts.join(", "), width * 2);
    } else {
      const names = options.args === true ? Object.keys(call.argumentDigests) : options.args;
      for (const name of names) {
        const column = name in row ? `a_${name}` : name;
        row[column] = name in call.argumentDigests ? preview(await call.argument(name), width) : null;
      }
    }
    if (options.result ?? true) row.result = call.resultDigest === null ? "(pending)" : preview(await call.result(), width);
    const namespaces = options.metadata ? Object.keys(call.metadata) : ["runtime"];
    for (const ns of namespaces) {
      for (const [field, value] of Object.entries(call.metadata[ns] ?? {})) row[`${ns}.${field}`] = cell(field, value);
    }
    rows.push(row);
  }
  return rows;
}

async function shortKeys(calls: readonly LazyCall[], shrink: boolean): Promise<string[]> {
  if (!shrink || calls.length === 0) return calls.map((c) => c.key);
  try {
    return await calls[0]!.cache.shrinkAll(calls.map((c) => c.key));
  } catch {
    return calls.map((c) => c.key); // calls from several caches or a cache that cannot shrink: full keys
  }
}

/** Times as ISO strings; other scalars as they are; structures as short previews. */
function cell(field: string, value: JsonValue): string | number | boolean | null {
  if ((field === "timestart" || field === "timestop") && typeof value === "number") return new Date(value * 1000).toISOString();
  if (value === null || typeof value !== "object") return value;
  return clip(JSON.stringify(value), 60);
}

/** A one-line preview of any value. */
export function preview(value: unknown, width = 40): string {
  return clip(inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 8, maxStringLength: width, compact: true }), width);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
