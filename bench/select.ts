/** Which bench sections `npm run bench -- FILTER...` runs (bench/run.ts). */

/** The outcome: the sections to run in name order, or the filters that match none. */
export type Selection = { readonly run: readonly string[] } | { readonly unmatched: readonly string[] };

/** Every section when there is no filter; else those whose file name contains any filter. */
export function selectSections(sections: readonly string[], filters: readonly string[]): Selection {
  const all = [...sections].sort();
  const unmatched = filters.filter((filter) => !all.some((s) => s.includes(filter)));
  if (unmatched.length) return { unmatched };
  return { run: all.filter((s) => !filters.length || filters.some((filter) => s.includes(filter))) };
}
