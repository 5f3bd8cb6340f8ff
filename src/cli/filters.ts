/**
 * The call filters `ls` and `evict` share, from command-line options to a query filter
 * (docs/query.md): function name, module, version, tags, a time range and argument values.
 *
 * Values on the command line are JSON when they parse as JSON (`--arg lr=0.01`, `--version 2`,
 * `--tag epochs=10`), otherwise plain strings (`--arg name=ada`, `--tag project=tour`); quote a string
 * that looks like JSON: `--arg 'id="42"'`.
 */
import { ConfigError } from "../errors.js";
import type { MetadataFilter, QueryFilter } from "../query/template.js";

/** The filter options of `ls` and `evict` (as commander hands them over). */
export interface CallFilterOptions {
  readonly name?: string;
  readonly module?: string;
  readonly version?: string;
  readonly tag?: readonly string[];
  readonly arg?: readonly string[];
  readonly after?: string;
  readonly before?: string;
}

/** A command-line value: JSON when it parses, else the string itself. */
export function cliValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `NAME=VALUE` split at the first `=`; `option` names the flag in errors. */
function pair(text: string, option: string): [string, unknown] {
  const at = text.indexOf("=");
  if (at <= 0) throw new ConfigError(`${option} ${text}: expected NAME=VALUE, e.g. ${option} ${option === "--tag" ? "project=tour" : "lr=0.01"}`);
  return [text.slice(0, at), cliValue(text.slice(at + 1))];
}

/** A date or time: ISO 8601 (`2026-12-01`, `2026-12-01T14:30`, local time unless it names a zone) or Unix seconds. */
export function cliDate(text: string, option: string): Date {
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  const date = seconds !== undefined ? new Date(seconds * 1000) : new Date(/^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00` : text);
  if (Number.isNaN(date.getTime())) throw new ConfigError(`${option} ${text}: not a date (write 2026-12-01, 2026-12-01T14:30, or Unix seconds)`);
  return date;
}

/** The query filter the options describe (empty: every call). */
export function callFilter(options: CallFilterOptions): QueryFilter {
  const filter: { -readonly [K in keyof QueryFilter]: QueryFilter[K] } = {};
  if (options.name !== undefined) filter.name = options.name;
  if (options.module !== undefined) filter.module = options.module;
  if (options.version !== undefined) filter.version = cliValue(options.version) as QueryFilter["version"];
  if (options.arg?.length) filter.args = Object.fromEntries(options.arg.map((a) => pair(a, "--arg")));
  const metadata: Record<string, Record<string, unknown>> = {};
  if (options.tag?.length) metadata.tags = Object.fromEntries(options.tag.map((t) => pair(t, "--tag")));
  if (options.after !== undefined || options.before !== undefined) {
    const range: Record<string, Date> = {};
    if (options.after !== undefined) range.$gte = cliDate(options.after, "--after");
    if (options.before !== undefined) range.$lt = cliDate(options.before, "--before");
    metadata.runtime = { timestop: range };
  }
  if (Object.keys(metadata).length) filter.metadata = metadata as MetadataFilter;
  return filter;
}

/** True when the options select anything narrower than every call. */
export function isFiltered(options: CallFilterOptions): boolean {
  return Object.keys(callFilter(options)).length > 0;
}
