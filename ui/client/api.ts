/** The server's JSON endpoints (src/ui/api.ts), typed as the pages use them. */

/** A value in a table row: its digest and, when small, the value itself. */
export interface CellValue {
  readonly digest: string;
  readonly value?: string | number | boolean | null;
}

/** One row of the calls table. */
export interface CallRow {
  readonly key: string;
  readonly name: string;
  readonly module: string | null;
  readonly version: string | number | null;
  readonly arguments: readonly (CellValue & { readonly name: string })[];
  readonly result: CellValue | null;
  readonly timestop?: number;
  readonly walltime?: number;
  readonly tags?: Record<string, unknown>;
}

/** How many calls of one function, and when the first and last finished. */
export interface Count {
  readonly name: string;
  readonly calls: number;
  readonly oldest: number | null;
  readonly newest: number | null;
}

/** One function's tally: its count and runtimes. */
export interface Tally extends Count {
  readonly timed: number;
  readonly totalRuntime: number;
  readonly medianRuntime: number | null;
}

/** `fleche stats`. */
export interface Storage {
  readonly functions: readonly (Tally & { values: number; ownBytes: number | null; sharedBytes: number | null })[];
  readonly stores: readonly { role: string; type: string; entries: number; bytes: number | null }[];
}

/** A value of the call shown in full. */
export interface ValueView {
  readonly digest: string;
  readonly type?: string;
  readonly shape?: readonly number[];
  readonly bytes?: number | null;
  readonly inline: boolean;
  readonly preview?: string;
  readonly problem?: string;
}

/** One call in full. */
export interface CallInFull {
  readonly record: { key: string; name: string; module: string | null; version: string | number | null; codeDigest: string | null; metadata: Record<string, unknown> };
  readonly row: CallRow;
  readonly arguments: readonly (ValueView & { name: string })[];
  readonly result: ValueView | null;
  readonly why: { verdict: string; summary: string; text: string; nearest?: readonly { record: { key: string }; distance: number }[] };
}

/** GET a JSON endpoint; rejects with the server's error message. */
export async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/** POST to a writing endpoint (with the header the server requires of writes). */
export async function post<T>(path: string): Promise<T> {
  const response = await fetch(path, { method: "POST", headers: { Accept: "application/json", "X-Fleche-UI": "1" } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}
